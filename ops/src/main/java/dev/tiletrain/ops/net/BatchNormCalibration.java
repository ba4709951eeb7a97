package dev.tiletrain.ops.net;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.Pass;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Sets every batch norm's rolling statistics to the statistics of the images shown to it: what frozen batch
 * norm needs and Darknet's random initialization lacks (its rolling variances are 0, so a frozen forward
 * divides by ε and the loss is not a number). Each batch runs forward as training does (each batch norm
 * normalizes with its batch's own statistics, as in PyTorch's {@code update_bn}); per layer, the count, Σx
 * and Σx² of its input add up over all batches, and {@link #apply()} sets rolling mean and variance to the
 * mean and unbiased variance of all of them together — Darknet's definitions, so that after one batch a
 * frozen forward of that batch equals its training forward.
 */
public final class BatchNormCalibration {
    private final Network net;
    private final int last;
    private final Map<BatchNorm, BatchNorm.Moments> sums = new IdentityHashMap<>();
    private long images;

    /** Calibrates the batch norms of {@code net}, which must have one; they must be in sync mode. */
    public BatchNormCalibration(Network net) {
        int lastWithBn = -1;
        for (Block b : net.blocks()) {
            for (Layer l : b.layers()) {
                if (l instanceof BatchNorm bn) {
                    if (bn.mode() != BatchNorm.Mode.SYNC) {
                        throw new IllegalArgumentException("layer " + b.index() + ": calibration runs batch norm "
                                + "with batch statistics; build the network in sync mode");
                    }
                    lastWithBn = b.index();
                }
            }
        }
        if (lastWithBn < 0) {
            throw new IllegalArgumentException("the network has no batch norm to calibrate");
        }
        this.net = net;
        this.last = lastWithBn;
    }

    /** Runs {@code batch} forward up to the last batch norm, adding each batch norm's input sums. */
    public void add(Tensor batch, long seed) {
        net.forward(0, last, batch, new Forward(seed));
        images += batch.n;
    }

    /** Images added so far. */
    public long images() {
        return images;
    }

    /** Sets each batch norm's rolling statistics to those of everything added. */
    public void apply() {
        if (images == 0) {
            throw new IllegalStateException("no batch was added");
        }
        sums.forEach((bn, m) -> bn.setRolling(m.stats()));
    }

    /** A forward-only training pass that records what each batch norm normalized. */
    private final class Forward implements Pass {
        private final long seed;

        Forward(long seed) {
            this.seed = seed;
        }

        @Override
        public boolean training() {
            return true;
        }

        @Override
        public float[] grad(Param p) {
            throw new UnsupportedOperationException("calibration runs no backward");
        }

        @Override
        public BatchNorm.Stats statistics(BatchNorm bn, Tensor x) {
            BatchNorm.Moments m = bn.moments(x, x.rect);
            sums.merge(bn, m, BatchNorm.Moments::plus);
            return m.stats();
        }

        @Override
        public BatchNorm.BackwardSums backwardSums(BatchNorm bn, BatchNorm.BackwardSums local) {
            throw new UnsupportedOperationException("calibration runs no backward");
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
}
