package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;

/**
 * One forward and backward pass over one batch, as seen by the layers: where gradients accumulate, and
 * where batch-norm statistics come from. The untiled pass ({@link WholeMapPass}) computes statistics over
 * its whole tensor; a tiled pass hands every tile the statistics all tiles agreed on.
 */
public interface Pass {
    /** Darknet's {@code net.train}: dropout is active and batch norm in sync mode uses batch statistics. */
    boolean training();

    /** The gradient accumulator (dLoss/dθ, same length as the parameter) for {@code p}, zeroed at first use. */
    float[] grad(Param p);

    /**
     * The batch statistics a {@code sync}-mode batch norm uses for {@code x}. The same object is returned
     * to the backward of the same layer.
     */
    BatchNorm.Stats statistics(BatchNorm bn, Tensor x);

    /**
     * The per-channel sums over the whole map that the exact batch-norm backward needs, given the sums
     * {@code local} over this pass's own (possibly partial) {@code dy}. Untiled, they are the same.
     */
    BatchNorm.BackwardSums backwardSums(BatchNorm bn, BatchNorm.BackwardSums local);

    /**
     * The part of {@code region} (a rectangle of {@code layer}'s output map) this pass owns: the global
     * term of the batch-norm backward is added there only, so that across tiles it is added once per
     * position. The untiled pass owns everything.
     */
    Rect owned(Layer layer, Rect region);

    /** Seed for random choices inside layers (dropout), fixed for the pass so that tiles agree. */
    long seed();

    /**
     * Darknet's {@code *net.seen} during this pass: the images trained on so far, this batch included
     * (train_network_datum adds the batch before its forward). Only a loss layer asks ({@code [region]}
     * pulls every prediction towards its anchor while it is below 12800), so passes that never reach
     * one need not know it.
     */
    default long seen() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not count the images seen");
    }
}
