package dev.tiletrain.tiles;

import dev.tiletrain.ops.tensor.Rect;

/**
 * A rectangle of a group boundary's map that tile {@code from} of the earlier group owns and tile
 * {@code to} of the later group reads: sent forward (the halo gather), and its gradient sent back and
 * added at the owner (the halo add). {@code local} strips stay on the tile's own device.
 */
public record HaloStrip(int from, int to, Rect rect, int channels, boolean local) {
    /** Bytes of one image's strip (float32). */
    public long bytesPerImage() {
        return 4L * channels * rect.area();
    }
}
