package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The untiled pass: every layer sees its whole map, so batch-norm statistics come from the tensor itself
 * and this pass owns every position. It is the reference every tiled run must equal.
 */
public final class WholeMapPass implements Pass {
    private final boolean training;
    private final long seed;
    private final Map<Param, float[]> grads = new IdentityHashMap<>();
    private final Map<BatchNorm, BatchNorm.Stats> stats = new IdentityHashMap<>();

    public WholeMapPass(boolean training, long seed) {
        this.training = training;
        this.seed = seed;
    }

    @Override
    public boolean training() {
        return training;
    }

    @Override
    public synchronized float[] grad(Param p) {
        return grads.computeIfAbsent(p, q -> new float[q.size()]);
    }

    /** The gradient of {@code p}, or null when no backward touched it. */
    public synchronized float[] gradOrNull(Param p) {
        return grads.get(p);
    }

    @Override
    public synchronized BatchNorm.Stats statistics(BatchNorm bn, Tensor x) {
        return stats.computeIfAbsent(bn, b -> b.moments(x, x.rect).stats());
    }

    /** The batch statistics each batch norm used in this pass (for the rolling update). */
    public synchronized Map<BatchNorm, BatchNorm.Stats> statistics() {
        return new IdentityHashMap<>(stats);
    }

    @Override
    public BatchNorm.BackwardSums backwardSums(BatchNorm bn, BatchNorm.BackwardSums local) {
        return local;
    }

    @Override
    public Rect owned(Layer layer, Rect region) {
        return region;
    }

    @Override
    public long seed() {
        return seed;
    }
}
