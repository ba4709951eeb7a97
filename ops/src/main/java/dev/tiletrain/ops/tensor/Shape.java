package dev.tiletrain.ops.tensor;

/** The shape of one image's map: channels × height × width. A batch adds N in front (NCHW). */
public record Shape(int c, int h, int w) {
    public Shape {
        if (c <= 0 || h <= 0 || w <= 0) {
            throw new IllegalArgumentException("shape must be positive: " + c + "x" + h + "x" + w);
        }
    }

    public int size() {
        return c * h * w;
    }

    /** The whole map as a rectangle. */
    public Rect full() {
        return new Rect(0, 0, w - 1, h - 1);
    }

    @Override
    public String toString() {
        return c + "x" + h + "x" + w;
    }
}
