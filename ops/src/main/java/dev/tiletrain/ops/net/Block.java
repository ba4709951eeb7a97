package dev.tiletrain.ops.net;

import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.LossLayer;
import dev.tiletrain.ops.tensor.Shape;
import java.util.List;

/**
 * One section of a Darknet cfg after {@code [net]}: the layers it lowers to, applied in order, and the
 * blocks whose outputs it reads. Every section reads the previous one except {@code [route]}, which has no
 * layers and concatenates the outputs of {@code inputs} along channels. Index −1 is the network input.
 */
public record Block(int index, String type, List<Layer> layers, int[] inputs, Shape output) {
    public Block {
        layers = List.copyOf(layers);
        inputs = inputs.clone();
    }

    public boolean isRoute() {
        return layers.isEmpty();
    }

    /** True when every layer of this block can be tiled and it reads only the block before it. */
    public boolean tileable() {
        return !isRoute() && inputs.length == 1 && inputs[0] == index - 1
                && layers.stream().allMatch(Layer::tileable);
    }

    /** The loss layer that ends this block, or null. */
    public LossLayer loss() {
        return !layers.isEmpty() && layers.get(layers.size() - 1) instanceof LossLayer l ? l : null;
    }

    @Override
    public String toString() {
        return index + " " + type + " -> " + output;
    }
}
