package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;

/** A layer whose output at a position depends on its input at that position only: the region rule is identity. */
interface Pointwise extends Layer {
    /** The map of one image, the same in and out. */
    Shape shape();

    @Override
    default Shape inputShape() {
        return shape();
    }

    @Override
    default Shape outputShape() {
        return shape();
    }

    @Override
    default boolean tileable() {
        return true;
    }

    @Override
    default Rect inputRegion(Rect out) {
        return out;
    }

    /** Throws unless {@code x} has this layer's channels and covers {@code out}, which lies in the map. */
    default void checkCovers(Tensor x, Rect out) {
        if (x.c != shape().c() || !x.rect.contains(out) || !shape().full().contains(out)) {
            throw new IllegalArgumentException(describe() + ": input " + x + " cannot give output " + out
                    + " of map " + shape());
        }
    }
}
