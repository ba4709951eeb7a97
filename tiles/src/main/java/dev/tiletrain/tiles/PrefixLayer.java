package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.Layer;

/** One layer of the tiled prefix: the cfg block it came from and its position in the prefix. */
public record PrefixLayer(int position, int block, Layer layer) {
    @Override
    public String toString() {
        return "L" + block + " " + layer.describe();
    }
}
