package dev.tiletrain.ops.net;

import dev.tiletrain.ops.layers.Truth;
import dev.tiletrain.ops.tensor.Tensor;

/** Where back-propagation starts: a loss against the truth, or a given gradient of the network's output. */
public sealed interface BackwardStart {
    /** Train against {@code truth} through the loss layer that ends the network. */
    record Loss(Truth truth) implements BackwardStart {}

    /** Back-propagate {@code gradient}, dLoss/d(network output), as {@code tiletrain backprop} does. */
    record Gradient(Tensor gradient) implements BackwardStart {}
}
