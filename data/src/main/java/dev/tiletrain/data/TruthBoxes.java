package dev.tiletrain.data;

import java.util.List;

/**
 * An image's boxes as the loss layer sees them, in Darknet's {@code net.truth} layout: up to {@link #MAX_BOXES}
 * boxes of (x, y, w, h, class), unused slots zero. As {@code fill_truth_detection}: boxes shuffled
 * ({@code randomize_boxes}, training only), moved with the image ({@code correct_boxes}: scaled, shifted,
 * mirrored, clamped to the canvas), cut to the first 30, and those thinner than 0.001 dropped.
 */
public final class TruthBoxes {
    public static final int MAX_BOXES = 30;
    public static final int VALUES = 5 * MAX_BOXES;

    private TruthBoxes() {
    }

    /** Writes {@link #VALUES} floats at {@code offset}; {@code rng} shuffles the boxes, null keeps file order. */
    public static void fill(List<LabelBox> boxes, Transform t, Rng rng, float[] out, int offset) {
        LabelBox[] b = boxes.toArray(new LabelBox[0]);
        if (rng != null) {
            for (int i = 0; i < b.length; i++) {
                int j = rng.below(b.length);
                LabelBox swap = b[i];
                b[i] = b[j];
                b[j] = swap;
            }
        }
        float sx = t.placedWidth() / t.width(), sy = t.placedHeight() / t.height();
        float dx = -t.dx() / t.width(), dy = -t.dy() / t.height();
        int count = Math.min(b.length, MAX_BOXES);
        java.util.Arrays.fill(out, offset, offset + VALUES, 0);
        int kept = 0;
        for (int i = 0; i < count; i++) {
            float left = b[i].x() - b[i].w() / 2, right = b[i].x() + b[i].w() / 2;
            float top = b[i].y() - b[i].h() / 2, bottom = b[i].y() + b[i].h() / 2;
            left = left * sx - dx;
            right = right * sx - dx;
            top = top * sy - dy;
            bottom = bottom * sy - dy;
            if (t.flip()) {
                float swap = left;
                left = 1 - right;
                right = 1 - swap;
            }
            left = unit(left);
            right = unit(right);
            top = unit(top);
            bottom = unit(bottom);
            float w = unit(right - left), h = unit(bottom - top);
            if (w < .001 || h < .001) {
                continue;
            }
            int at = offset + 5 * kept++;
            out[at] = (left + right) / 2;
            out[at + 1] = (top + bottom) / 2;
            out[at + 2] = w;
            out[at + 3] = h;
            out[at + 4] = b[i].cls();
        }
    }

    private static float unit(float v) {
        return Math.min(Math.max(v, 0), 1);
    }
}
