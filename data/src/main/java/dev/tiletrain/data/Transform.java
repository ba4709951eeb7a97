package dev.tiletrain.data;

/**
 * How one original image becomes one network input, with every random choice already made: the image of
 * {@code imageWidth × imageHeight} is scaled to {@code placedWidth × placedHeight} and put at ({@code dx},
 * {@code dy}) on a {@code width × height} canvas filled with 0.5, then colour-distorted (when {@code distortion}
 * is not null) and mirrored (when {@code flip}). Pixels use the placement truncated to integers and boxes the
 * exact floats, as Darknet's {@code load_data_detection} does.
 */
public record Transform(int width, int height, int imageWidth, int imageHeight, Sampling sampling,
                        float placedWidth, float placedHeight, float dx, float dy, boolean flip, Distortion distortion) {

    /** How the placed image samples the original. */
    public enum Sampling {
        /** Darknet's {@code place_image}: bilinear at {@code x / placed * size}, zero beyond the last pixel. */
        PLACE,
        /** Darknet's {@code resize_image}: bilinear with corners aligned, as in {@code letterbox_image}. */
        RESIZE
    }

    /** HSV changes of {@code distort_image}: hue shift, saturation and exposure (value) factors. */
    public record Distortion(float hue, float saturation, float exposure) {
    }

    /**
     * Darknet's training transform (pjreddie's {@code load_data_detection}): aspect ratio jittered by up to
     * {@code jitter} of each side, the longer side scaled to the network, a random position, HSV distortion,
     * a coin for the flip. The draws come from {@code rng} in a fixed order.
     */
    public static Transform random(Augmentation a, int imageWidth, int imageHeight, Rng rng) {
        float dw = a.jitter() * imageWidth, dh = a.jitter() * imageHeight;
        float aspect = (imageWidth + rng.uniform(-dw, dw)) / (imageHeight + rng.uniform(-dh, dh));
        float nw, nh;
        if (aspect < 1) {
            nh = a.height();
            nw = nh * aspect;
        } else {
            nw = a.width();
            nh = nw / aspect;
        }
        float dx = rng.uniform(0, a.width() - nw);
        float dy = rng.uniform(0, a.height() - nh);
        Distortion d = new Distortion(rng.uniform(-a.hue(), a.hue()), rng.scale(a.saturation()), rng.scale(a.exposure()));
        boolean flip = rng.below(2) == 1 && a.flip();
        return new Transform(a.width(), a.height(), imageWidth, imageHeight, Sampling.PLACE, nw, nh, dx, dy, flip, d);
    }

    /** Darknet's {@code letterbox_image}: aspect kept, centred, no randomness (validation). */
    public static Transform letterbox(int width, int height, int imageWidth, int imageHeight) {
        int nw, nh;
        if (((float) width / imageWidth) < ((float) height / imageHeight)) {
            nw = width;
            nh = imageHeight * width / imageWidth;
        } else {
            nh = height;
            nw = imageWidth * height / imageHeight;
        }
        return new Transform(width, height, imageWidth, imageHeight, Sampling.RESIZE, nw, nh,
                (width - nw) / 2, (height - nh) / 2, false, null);
    }
}
