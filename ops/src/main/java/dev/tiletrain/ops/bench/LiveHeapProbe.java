package dev.tiletrain.ops.bench;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.Pass;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * An untiled pass that measures the live heap of the step it serves: every time a layer reaches into the
 * pass (a convolution or bias for its gradient, a batch norm for statistics, forward and backward), it
 * runs a full collection and records the heap still in use. The largest such figure is the step's peak
 * of live data at layer granularity (activations kept for backward, deltas, parameters, optimizer state);
 * what a layer allocates after its last call into the pass is not seen. Heap in use between collections
 * would mostly measure the collector's appetite for garbage, not what the step needs.
 */
final class LiveHeapProbe implements Pass {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private final WholeMapPass pass;
    private long peak;

    LiveHeapProbe(WholeMapPass pass) {
        this.pass = pass;
    }

    /** The largest live heap seen so far, in bytes. */
    long peak() {
        return peak;
    }

    /** Collects and records the heap in use now. */
    void sample() {
        System.gc();
        peak = Math.max(peak, MEMORY.getHeapMemoryUsage().getUsed());
    }

    @Override
    public boolean training() {
        return pass.training();
    }

    @Override
    public float[] grad(Param p) {
        float[] g = pass.grad(p);
        sample();
        return g;
    }

    @Override
    public BatchNorm.Stats statistics(BatchNorm bn, Tensor x) {
        BatchNorm.Stats s = pass.statistics(bn, x);
        sample();
        return s;
    }

    @Override
    public BatchNorm.BackwardSums backwardSums(BatchNorm bn, BatchNorm.BackwardSums local) {
        sample();
        return pass.backwardSums(bn, local);
    }

    @Override
    public Rect owned(Layer layer, Rect region) {
        return pass.owned(layer, region);
    }

    @Override
    public long seed() {
        return pass.seed();
    }
}
