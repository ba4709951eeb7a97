package dev.tiletrain.ops.layers;

/**
 * What a loss layer compares its input with, per image, in Darknet's {@code net.truth} layout: for
 * {@code [region]} up to 30 boxes of (x, y, w, h, class), normalized, unused slots zero; for
 * {@code [softmax]} and {@code [cost]} the target vector.
 */
public record Truth(int perImage, float[] values) {
    public Truth {
        if (perImage <= 0 || values.length % perImage != 0) {
            throw new IllegalArgumentException(values.length + " truth values are not a multiple of " + perImage);
        }
    }

    public int images() {
        return values.length / perImage;
    }
}
