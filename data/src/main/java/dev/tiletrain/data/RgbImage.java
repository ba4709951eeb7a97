package dev.tiletrain.data;

import dev.tiletrain.ops.tensor.Rect;

/**
 * Decoded pixels of a rectangle {@code region} of an image of {@code width × height}, as three planes R, G, B
 * of floats in [0,1] (byte / 255, Darknet's {@code load_image_color}). Usually the region is the whole image;
 * a tile decodes only the part its crop needs.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final Rect region;
    private final float[] data;

    public RgbImage(int width, int height, Rect region, float[] data) {
        if (!new Rect(0, 0, width - 1, height - 1).contains(region)) {
            throw new IllegalArgumentException(region + " is not inside a " + width + "x" + height + " image");
        }
        if (data.length != 3 * region.area()) {
            throw new IllegalArgumentException(data.length + " values for 3 planes of " + region);
        }
        this.width = width;
        this.height = height;
        this.region = region;
        this.data = data;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /**
     * Channel {@code c} at image position (x, y); 0 outside the image, as Darknet's {@code get_pixel_extend}.
     * A position inside the image but outside the decoded region is a caller's error.
     */
    public float get(int c, int x, int y) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            return 0;
        }
        if (!region.contains(x, y)) {
            throw new IllegalArgumentException("(" + x + "," + y + ") was not decoded: only " + region);
        }
        return data[(c * region.height() + y - region.y1()) * region.width() + x - region.x1()];
    }
}
