package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;

/**
 * A layer whose outputs depend on the whole input map (global pooling, reorg, connected, losses): it
 * cannot be tiled, so it runs in the untiled tail on whole maps only.
 */
public interface UntiledLayer extends Layer {
    @Override
    default boolean tileable() {
        return false;
    }

    @Override
    default Rect inputRegion(Rect out) {
        throw new UnsupportedOperationException(describe() + " is not tileable: every output depends on the whole "
                + inputShape() + " input map, so it has no input region for " + out);
    }

    /** Rejects anything but the whole input map in {@code x} and the whole output map in {@code out}. */
    default void requireWholeMaps(Tensor x, Rect out) {
        if (!x.rect.equals(inputShape().full()) || x.c != inputShape().c()) {
            throw new IllegalArgumentException(describe() + " needs the whole " + inputShape() + " input map, got "
                    + x.c + " channels over " + x.rect);
        }
        if (!out.equals(outputShape().full())) {
            throw new IllegalArgumentException(describe() + " computes only its whole output map "
                    + outputShape().full() + ", asked for " + out);
        }
    }

    /** Rejects a gradient {@code dy} that is not over the whole output map for the batch of {@code x}. */
    default void requireWholeGradient(Tensor x, Tensor dy) {
        if (!dy.rect.equals(outputShape().full()) || dy.c != outputShape().c() || dy.n != x.n) {
            throw new IllegalArgumentException(describe() + " back-propagates only a whole " + outputShape()
                    + " gradient for " + x.n + " images, got " + dy);
        }
    }
}
