package dev.tiletrain.data;

/**
 * The test oracle for {@link Preprocess}: Darknet's whole-image steps transcribed literally from
 * {@code src/image.c} and {@code src/data.c} (fill the canvas with .5, {@code place_image} or
 * {@code resize_image} + {@code embed_image}, {@code distort_image} over the whole canvas, {@code flip_image}),
 * in Darknet's order, on whole images. {@link Preprocess} computes each canvas pixel on its own instead.
 */
final class DarknetPipeline {
    private DarknetPipeline() {
    }

    /** The preprocessed canvas as three planes of width × height. */
    static float[] canvas(RgbImage im, Transform t) {
        int w = t.width(), h = t.height();
        float[] canvas = new float[3 * w * h];
        java.util.Arrays.fill(canvas, .5f);
        int nw = (int) t.placedWidth(), nh = (int) t.placedHeight(), dx = (int) t.dx(), dy = (int) t.dy();
        if (t.sampling() == Transform.Sampling.PLACE) {
            placeImage(im, nw, nh, dx, dy, canvas, w, h);
        } else {
            embedImage(resizeImage(im, nw, nh), nw, nh, canvas, w, h, dx, dy);
        }
        if (t.distortion() != null) {
            float[] rgb = new float[3];
            for (int i = 0; i < w * h; i++) {
                for (int c = 0; c < 3; c++) {
                    rgb[c] = canvas[c * w * h + i];
                }
                Hsv.distort(rgb, t.distortion().hue(), t.distortion().saturation(), t.distortion().exposure());
                for (int c = 0; c < 3; c++) {
                    canvas[c * w * h + i] = rgb[c];
                }
            }
        }
        if (t.flip()) {
            flipImage(canvas, w, h);
        }
        return canvas;
    }

    private static void placeImage(RgbImage im, int w, int h, int dx, int dy, float[] canvas, int cw, int ch) {
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float rx = ((float) x / w) * im.width();
                    float ry = ((float) y / h) * im.height();
                    setPixel(canvas, cw, ch, x + dx, y + dy, c, bilinearInterpolate(im, rx, ry, c));
                }
            }
        }
    }

    private static float bilinearInterpolate(RgbImage im, float x, float y, int c) {
        int ix = (int) Math.floor(x);
        int iy = (int) Math.floor(y);
        float dx = x - ix;
        float dy = y - iy;
        return (1 - dy) * (1 - dx) * im.get(c, ix, iy)
                + dy * (1 - dx) * im.get(c, ix, iy + 1)
                + (1 - dy) * dx * im.get(c, ix + 1, iy)
                + dy * dx * im.get(c, ix + 1, iy + 1);
    }

    /** resize_image: a horizontal pass into {@code part} (w × im.h), then a vertical one. */
    private static float[] resizeImage(RgbImage im, int w, int h) {
        float[] resized = new float[3 * w * h];
        if (im.width() == w && im.height() == h) {
            for (int k = 0; k < 3; k++) {
                for (int r = 0; r < h; r++) {
                    for (int c = 0; c < w; c++) {
                        resized[(k * h + r) * w + c] = im.get(k, c, r);
                    }
                }
            }
            return resized;
        }
        float[] part = new float[3 * w * im.height()];
        float wScale = (float) (im.width() - 1) / (w - 1);
        float hScale = (float) (im.height() - 1) / (h - 1);
        for (int k = 0; k < 3; k++) {
            for (int r = 0; r < im.height(); r++) {
                for (int c = 0; c < w; c++) {
                    float val;
                    if (c == w - 1 || im.width() == 1) {
                        val = im.get(k, im.width() - 1, r);
                    } else {
                        float sx = c * wScale;
                        int ix = (int) sx;
                        float dx = sx - ix;
                        val = (1 - dx) * im.get(k, ix, r) + dx * im.get(k, ix + 1, r);
                    }
                    part[(k * im.height() + r) * w + c] = val;
                }
            }
        }
        for (int k = 0; k < 3; k++) {
            for (int r = 0; r < h; r++) {
                float sy = r * hScale;
                int iy = (int) sy;
                float dy = sy - iy;
                for (int c = 0; c < w; c++) {
                    resized[(k * h + r) * w + c] = (1 - dy) * part[(k * im.height() + iy) * w + c];
                }
                if (r == h - 1 || im.height() == 1) {
                    continue;
                }
                for (int c = 0; c < w; c++) {
                    resized[(k * h + r) * w + c] += dy * part[(k * im.height() + iy + 1) * w + c];
                }
            }
        }
        return resized;
    }

    private static void embedImage(float[] source, int sw, int sh, float[] canvas, int cw, int ch, int dx, int dy) {
        for (int k = 0; k < 3; k++) {
            for (int y = 0; y < sh; y++) {
                for (int x = 0; x < sw; x++) {
                    setPixel(canvas, cw, ch, dx + x, dy + y, k, source[(k * sh + y) * sw + x]);
                }
            }
        }
    }

    private static void flipImage(float[] a, int w, int h) {
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w / 2; j++) {
                    int index = j + w * (i + h * k);
                    int flip = (w - j - 1) + w * (i + h * k);
                    float swap = a[flip];
                    a[flip] = a[index];
                    a[index] = swap;
                }
            }
        }
    }

    private static void setPixel(float[] m, int w, int h, int x, int y, int c, float val) {
        if (x < 0 || y < 0 || x >= w || y >= h) {
            return;
        }
        m[c * h * w + y * w + x] = val;
    }
}
