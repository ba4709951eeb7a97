package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.tensor.Rect;

/**
 * The work of one layer over an output region, per image: multiply-adds of layers with weights (each
 * output position costs one multiply-add per weight of a filter column, i.e. 2·|W|/C_out FLOPs per
 * output element), and bytes moved by the memory-bound rest. Training costs forward, data gradient and
 * weight gradient: three times the forward FLOPs.
 */
final class LayerCost {
    private LayerCost() {
    }

    /** Forward FLOPs of {@code layer} over {@code out}, per image. */
    static double forwardFlops(Layer layer, Rect out) {
        long weights = 0;
        for (Param p : layer.params()) {
            if (p.role == Param.Role.WEIGHTS) {
                weights += p.size();
            }
        }
        return 2.0 * weights * out.area();
    }

    /** True when the layer's time is its memory traffic rather than its arithmetic. */
    static boolean memoryBound(Layer layer) {
        return forwardFlops(layer, new Rect(0, 0, 0, 0)) == 0;
    }

    /** Bytes read and written by the forward of a memory-bound layer over {@code out}, per image. */
    static double forwardBytes(Layer layer, Rect out) {
        Rect in = layer.tileable() ? layer.inputRegion(out) : layer.inputShape().full();
        return 4.0 * (layer.inputShape().c() * (double) in.area() + layer.outputShape().c() * (double) out.area());
    }
}
