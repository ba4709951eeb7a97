package dev.tiletrain.data;

/**
 * Darknet's detection augmentation settings: {@code jitter} (of the {@code [region]} section in YOLOv2 cfgs),
 * {@code hue}, {@code saturation}, {@code exposure} and {@code flip} (of {@code [net]}), and the network input
 * size. Darknet's detection loader ignores {@code angle}, and so does this.
 */
public record Augmentation(float jitter, float hue, float saturation, float exposure, boolean flip, int width, int height) {
    public Augmentation {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("network size must be positive: " + width + "x" + height);
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1), got " + jitter);
        }
        if (!(hue >= 0 && hue <= 1)) {
            throw new IllegalArgumentException("hue must be in [0, 1], got " + hue);
        }
        if (!(saturation > 0) || !(exposure > 0)) {
            throw new IllegalArgumentException("saturation and exposure must be positive, got " + saturation + ", " + exposure);
        }
    }

    /** Darknet's defaults: jitter .2, no colour change, random flips. */
    public static Augmentation defaults(int width, int height) {
        return new Augmentation(.2f, 0, 1, 1, true, width, height);
    }
}
