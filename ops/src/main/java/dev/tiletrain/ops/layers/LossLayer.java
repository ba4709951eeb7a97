package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Tensor;

/** A layer that ends a network and, in training, turns its input and the truth into a cost and a gradient. */
public interface LossLayer extends Layer {
    /** Darknet's cost for this batch and the true gradient dCost/dx over x (Darknet's {@code delta}, negated). */
    record Loss(float cost, Tensor inputGradient) {}

    /** The cost of input {@code x} (this layer's input, whole map) against {@code truth}, and its gradient. */
    Loss loss(Tensor x, Truth truth, Pass pass);
}
