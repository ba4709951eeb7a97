package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.Pass;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A tile's pass: its own partial gradients, the batch-norm statistics and backward sums all tiles agreed
 * on (set by whoever ran the sync), and the positions it owns at each layer of its groups.
 */
public final class TilePass implements Pass {
    private final boolean training;
    private final long seed;
    private final Map<Param, float[]> grads = new IdentityHashMap<>();
    private final Map<Layer, Rect> owned = new IdentityHashMap<>();
    private final Map<BatchNorm, BatchNorm.Stats> stats = new IdentityHashMap<>();
    private final Map<BatchNorm, BatchNorm.BackwardSums> sums = new IdentityHashMap<>();

    public TilePass(boolean training, long seed) {
        this.training = training;
        this.seed = seed;
    }

    /**
     * A copy whose maps are new but share their arrays. Each layer's gradient arrays are created by the one
     * backward step that runs that layer, so a step that starts from a copy (as a retried Spark task does
     * from its cached input) never adds into arrays an earlier attempt touched.
     */
    public TilePass copy() {
        TilePass c = new TilePass(training, seed);
        c.grads.putAll(grads);
        c.owned.putAll(owned);
        c.stats.putAll(stats);
        c.sums.putAll(sums);
        return c;
    }

    /** Records what tile {@code t} owns at every layer of {@code group}. */
    public void own(FusedGroup group, int t) {
        for (int i = 0; i < group.layers().size(); i++) {
            owned.put(group.layer(i), group.owned(t, i));
        }
    }

    public void setStatistics(BatchNorm bn, BatchNorm.Stats s) {
        stats.put(bn, s);
    }

    public void setBackwardSums(BatchNorm bn, BatchNorm.BackwardSums s) {
        sums.put(bn, s);
    }

    /** The positions this tile owns at {@code layer}'s output, or null. */
    public Rect owned(Layer layer) {
        return owned.get(layer);
    }

    public Map<Param, float[]> gradients() {
        return grads;
    }

    /** The synchronised statistics set so far, read-only (to ship the state to another process). */
    public Map<BatchNorm, BatchNorm.Stats> statistics() {
        return Collections.unmodifiableMap(stats);
    }

    /** The synchronised backward sums set so far, read-only. */
    public Map<BatchNorm, BatchNorm.BackwardSums> backwardSums() {
        return Collections.unmodifiableMap(sums);
    }

    @Override
    public boolean training() {
        return training;
    }

    @Override
    public float[] grad(Param p) {
        return grads.computeIfAbsent(p, q -> new float[q.size()]);
    }

    @Override
    public BatchNorm.Stats statistics(BatchNorm bn, Tensor x) {
        BatchNorm.Stats s = stats.get(bn);
        if (s == null) {
            throw new IllegalStateException("no synchronised statistics for " + bn.describe());
        }
        return s;
    }

    @Override
    public BatchNorm.BackwardSums backwardSums(BatchNorm bn, BatchNorm.BackwardSums local) {
        BatchNorm.BackwardSums s = sums.get(bn);
        if (s == null) {
            throw new IllegalStateException("no synchronised backward sums for " + bn.describe());
        }
        return s;
    }

    @Override
    public Rect owned(Layer layer, Rect region) {
        Rect o = owned.get(layer);
        return o == null ? null : o.intersect(region);
    }

    @Override
    public long seed() {
        return seed;
    }
}
