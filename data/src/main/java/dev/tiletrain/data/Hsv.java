package dev.tiletrain.data;

/**
 * Darknet's {@code distort_image} on one pixel: RGB to HSV, saturation and value scaled, hue shifted with
 * wrap-around, back to RGB, clamped to [0,1]. It is pointwise, which is what lets a tile distort only its crop.
 * The float arithmetic follows Darknet's C expression by expression.
 */
final class Hsv {
    private Hsv() {
    }

    /** Distorts {@code rgb} (three values) in place. */
    static void distort(float[] rgb, float hue, float saturation, float exposure) {
        float r = rgb[0], g = rgb[1], b = rgb[2];
        float max = Math.max(Math.max(r, g), b), min = Math.min(Math.min(r, g), b);
        float delta = max - min;
        float h, s, v = max;
        if (max == 0) {
            s = 0;
            h = 0;
        } else {
            // for grey (delta 0) h becomes NaN as in Darknet; harmless because s is 0 and hsv->rgb ignores h then
            s = delta / max;
            if (r == max) {
                h = (g - b) / delta;
            } else if (g == max) {
                h = 2 + (b - r) / delta;
            } else {
                h = 4 + (r - g) / delta;
            }
            if (h < 0) {
                h += 6;
            }
            h = (float) (h / 6.);
        }
        s = s * saturation;
        v = v * exposure;
        h = h + hue;
        if (h > 1) {
            h -= 1;
        }
        if (h < 0) {
            h += 1;
        }
        toRgb(rgb, h, s, v);
        for (int k = 0; k < 3; k++) {
            rgb[k] = Math.min(Math.max(rgb[k], 0), 1);
        }
    }

    private static void toRgb(float[] rgb, float hue, float s, float v) {
        if (s == 0) {
            rgb[0] = rgb[1] = rgb[2] = v;
            return;
        }
        float h = 6 * hue;
        int index = (int) Math.floor(h);
        float f = h - index;
        float p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        switch (index) {
            case 0 -> set(rgb, v, t, p);
            case 1 -> set(rgb, q, v, p);
            case 2 -> set(rgb, p, v, t);
            case 3 -> set(rgb, p, q, v);
            case 4 -> set(rgb, t, p, v);
            default -> set(rgb, v, p, q);
        }
    }

    private static void set(float[] rgb, float r, float g, float b) {
        rgb[0] = r;
        rgb[1] = g;
        rgb[2] = b;
    }
}
