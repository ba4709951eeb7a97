package dev.tiletrain.tiles;

import dev.tiletrain.ops.tensor.Tensor;

/** The values of one halo strip: activations going forward, or partial deltas going back to the owner. */
public record HaloPiece(HaloStrip strip, Tensor values) {}
