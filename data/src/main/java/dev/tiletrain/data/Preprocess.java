package dev.tiletrain.data;

import dev.tiletrain.ops.tensor.Rect;

/**
 * The pixels of any rectangle of a preprocessed network input, computed pixel by pixel from the original
 * image and a {@link Transform}. Darknet builds the whole canvas (fill, {@code place_image} or letterbox,
 * {@code random_distort_image}, {@code flip_image}); every one of those steps is a function of one canvas
 * position, so a tile computes exactly its own crop, and the whole input is the crop of the full rectangle.
 */
public final class Preprocess {
    /** Darknet's canvas fill where no image pixel lands. */
    private static final float FILL = .5f;

    private Preprocess() {
    }

    /**
     * The original pixels the canvas rectangle {@code rect} reads (including bilinear neighbours), or null when
     * every pixel of {@code rect} shows the fill and nothing needs decoding.
     */
    public static Rect sourceRegion(Transform t, Rect rect) {
        int cx1 = t.flip() ? t.width() - 1 - rect.x2() : rect.x1();
        int cx2 = t.flip() ? t.width() - 1 - rect.x1() : rect.x2();
        Axis ax = Axis.x(t), ay = Axis.y(t);
        int[] cols = ax.sources(cx1, cx2), rows = ay.sources(rect.y1(), rect.y2());
        return cols == null || rows == null ? null : new Rect(cols[0], rows[0], cols[1], rows[1]);
    }

    /**
     * Writes the three planes of canvas rectangle {@code rect} into {@code out} from {@code offset}, each plane
     * {@code rect.area()} floats, rows of {@code rect.width()}. {@code image} must hold {@link #sourceRegion}
     * (it may be null when that is null: then every pixel is fill and the image is not read).
     */
    public static void render(RgbImage image, Transform t, Rect rect, float[] out, int offset) {
        Axis ax = Axis.x(t), ay = Axis.y(t);
        int plane = rect.area();
        float[] rgb = new float[3];
        for (int y = rect.y1(); y <= rect.y2(); y++) {
            int py = ay.placed(y);
            for (int x = rect.x1(); x <= rect.x2(); x++) {
                int px = ax.placed(t.flip() ? t.width() - 1 - x : x);
                if (px < 0 || py < 0) {
                    rgb[0] = rgb[1] = rgb[2] = FILL;
                } else if (t.sampling() == Transform.Sampling.PLACE) {
                    placeSample(image, ax.coordinate(px), ay.coordinate(py), rgb);
                } else {
                    resizeSample(image, ax, ay, px, py, rgb);
                }
                if (t.distortion() != null) {
                    Hsv.distort(rgb, t.distortion().hue(), t.distortion().saturation(), t.distortion().exposure());
                }
                int at = offset + (y - rect.y1()) * rect.width() + x - rect.x1();
                out[at] = rgb[0];
                out[at + plane] = rgb[1];
                out[at + 2 * plane] = rgb[2];
            }
        }
    }

    /** {@code place_image}'s {@code bilinear_interpolate} at (rx, ry). */
    private static void placeSample(RgbImage im, float rx, float ry, float[] rgb) {
        int ix = (int) Math.floor(rx), iy = (int) Math.floor(ry);
        float dx = rx - ix, dy = ry - iy;
        for (int c = 0; c < 3; c++) {
            rgb[c] = (1 - dy) * (1 - dx) * im.get(c, ix, iy)
                    + dy * (1 - dx) * im.get(c, ix, iy + 1)
                    + (1 - dy) * dx * im.get(c, ix + 1, iy)
                    + dy * dx * im.get(c, ix + 1, iy + 1);
        }
    }

    /** {@code resize_image}'s value at (px, py): a horizontal pass per source row, then a vertical one. */
    private static void resizeSample(RgbImage im, Axis ax, Axis ay, int px, int py, float[] rgb) {
        float sy = ay.coordinate(py);
        int iy = (int) sy;
        float dy = sy - iy;
        boolean lastRow = ay.isLast(py);
        for (int c = 0; c < 3; c++) {
            float v = (1 - dy) * horizontal(im, ax, c, px, iy);
            if (!lastRow) {
                v += dy * horizontal(im, ax, c, px, iy + 1);
            }
            rgb[c] = v;
        }
    }

    private static float horizontal(RgbImage im, Axis ax, int c, int px, int row) {
        if (ax.isLast(px)) {
            return im.get(c, im.width() - 1, row);
        }
        float sx = ax.coordinate(px);
        int ix = (int) sx;
        float dx = sx - ix;
        return (1 - dx) * im.get(c, ix, row) + dx * im.get(c, ix + 1, row);
    }

    /** One axis of the placement: canvas position to placed-image position to original coordinate. */
    private record Axis(Transform.Sampling sampling, boolean horizontal, int offset, int placed, int size) {
        static Axis x(Transform t) {
            return new Axis(t.sampling(), true, (int) t.dx(), (int) t.placedWidth(), t.imageWidth());
        }

        static Axis y(Transform t) {
            return new Axis(t.sampling(), false, (int) t.dy(), (int) t.placedHeight(), t.imageHeight());
        }

        /** The placed-image position at canvas position {@code c}, or -1 where the canvas shows the fill. */
        int placed(int c) {
            int p = c - offset;
            return p >= 0 && p < placed ? p : -1;
        }

        /** The original coordinate sampled at placed position {@code p}. */
        float coordinate(int p) {
            if (sampling == Transform.Sampling.PLACE) {
                return ((float) p / placed) * size;
            }
            // Darknet divides by zero for a 1-pixel side (and never uses the result but for a 1x1 output)
            return placed == 1 ? 0 : p * ((float) (size - 1) / (placed - 1));
        }

        /**
         * {@code resize_image}'s last position (or any, for a 1-pixel original): horizontally it takes the last
         * original pixel, vertically only the row below, without its lower neighbour.
         */
        boolean isLast(int p) {
            return p == placed - 1 || size == 1;
        }

        /** The first and last original index read for canvas positions c1..c2, or null if none is read. */
        int[] sources(int c1, int c2) {
            int lo = Integer.MAX_VALUE, hi = Integer.MIN_VALUE;
            for (int c = c1; c <= c2; c++) {
                int p = placed(c);
                if (p < 0) {
                    continue;
                }
                int first = (int) Math.floor(coordinate(p)), last = first + 1;
                if (sampling == Transform.Sampling.RESIZE && isLast(p)) {
                    first = last = horizontal ? size - 1 : first;
                }
                lo = Math.min(lo, first);
                hi = Math.max(hi, last);
            }
            if (lo > hi) {
                return null;
            }
            return new int[] {Math.max(lo, 0), Math.min(hi, size - 1)};
        }
    }
}
