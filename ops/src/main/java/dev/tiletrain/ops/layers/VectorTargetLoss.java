package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Tensor;

/** A loss whose truth holds one target per input value of each image ({@code [softmax]}, {@code [cost]}). */
public interface VectorTargetLoss extends LossLayer, UntiledLayer {
    /** Rejects an input that is not whole maps, or truth that is not one target vector per image of it. */
    default void requireTargets(Tensor x, Truth truth) {
        requireWholeMaps(x, outputShape().full());
        if (truth.perImage() != inputShape().size() || truth.images() != x.n) {
            throw new IllegalArgumentException(describe() + " needs " + x.n + " target vectors of "
                    + inputShape().size() + " values, got " + truth.images() + " of " + truth.perImage());
        }
    }
}
