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
    /** {@link #seen} of a pass built without the count. */
    private static final long UNCOUNTED = -1;

    private final boolean training;
    private final long seed;
    private final long seen;
    private final Map<Param, float[]> grads = new IdentityHashMap<>();
    private final Map<BatchNorm, BatchNorm.Stats> stats = new IdentityHashMap<>();

    /** A pass that does not know {@link #seen()}: enough for every layer but a loss layer's. */
    public WholeMapPass(boolean training, long seed) {
        this.training = training;
        this.seed = seed;
        this.seen = UNCOUNTED;
    }

    /** A pass at Darknet's {@code *net.seen} = {@code seen} (this batch included). */
    public WholeMapPass(boolean training, long seed, long seen) {
        if (seen < 0) {
            throw new IllegalArgumentException("images seen must not be negative: " + seen);
        }
        this.training = training;
        this.seed = seed;
        this.seen = seen;
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

    @Override
    public long seen() {
        if (seen == UNCOUNTED) {
            throw new IllegalStateException("this pass was built without the count of images seen");
        }
        return seen;
    }
}
