package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.List;

/**
 * One operation of a network with its forward, backward and shape rule together. A Darknet cfg section
 * lowers to one or more layers (a {@code [convolutional]} with batch_normalize is Convolution, then BatchNorm
 * carrying the activation; without, Convolution, Bias, Activation), so that a BatchNorm is a point the tiled
 * runner can stop at to synchronise statistics.
 *
 * <p>Layers hold parameters but no per-pass state: the same layer runs concurrently for several tiles,
 * each with its own {@link Pass}. Forward and backward work on rectangles of the map ({@link Tensor#rect}):
 * padding applies only where a rectangle touches the true map border, so an untiled pass is the special
 * case whose rectangles are the whole map.
 */
public interface Layer {
    /** The map of one input image. */
    Shape inputShape();

    /** The map of one output image. */
    Shape outputShape();

    /**
     * True when every output rectangle depends only on a rectangle of the input, found by
     * {@link #inputRegion}: convolutions, pools, pointwise layers. Such layers can be tiled.
     */
    boolean tileable();

    /**
     * The input rectangle that computing the output rectangle {@code out} reads, clamped to the input map
     * (the back-trace rule of fused tile partitioning). Only for {@link #tileable()} layers.
     */
    Rect inputRegion(Rect out);

    /** Parameters and learned state, in the order Darknet's weights file stores them. */
    default List<Param> params() {
        return List.of();
    }

    /**
     * Computes the output over {@code out} (which must lie in the output map) for every image of the
     * batch. {@code x} must cover {@code inputRegion(out)}; it may cover more.
     */
    Tensor forward(Tensor x, Rect out, Pass pass);

    /**
     * Back-propagates {@code dy} (dLoss/dy over {@code y.rect}) through the forward that turned {@code x}
     * into {@code y}: adds dLoss/dθ into {@link Pass#grad} and returns dLoss/dx over {@code x.rect}.
     */
    Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass);

    /**
     * {@link #backward} for a caller that needs no dLoss/dx (the layer reading the network's input): adds
     * only dLoss/dθ. A layer whose dx is a product of its own (a convolution's) overrides this to skip it.
     */
    default void backwardParams(Tensor x, Tensor y, Tensor dy, Pass pass) {
        if (!params().isEmpty()) {
            backward(x, y, dy, pass);
        }
    }

    /** A short description for plans and logs, e.g. {@code conv 3x3/1 32}. */
    String describe();
}
