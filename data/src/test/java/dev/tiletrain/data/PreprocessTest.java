package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tiletrain.ops.tensor.Rect;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pointwise renderer equals Darknet's whole-image pipeline bit for bit, on whole canvases and on crops that
 * decode only {@link Preprocess#sourceRegion}; plus hand-computed pixels of Darknet's sampling rules.
 */
class PreprocessTest {

    static Stream<Arguments> cases() {
        return IntStream.range(0, 60).mapToObj(seed -> {
            Random r = new Random(seed);
            int w = 16 + r.nextInt(33), h = 16 + r.nextInt(33);
            int ow = 6 + r.nextInt(35), oh = 6 + r.nextInt(35);
            Transform t = switch (seed % 3) {
                case 0 -> Transform.random(new Augmentation(r.nextFloat() * .45f, .1f, 1.5f, 1.5f, true, w, h), ow, oh,
                        Rng.of(seed));
                case 1 -> {
                    int nw = 1 + r.nextInt(2 * w), nh = 1 + r.nextInt(2 * h);
                    yield new Transform(w, h, ow, oh, Transform.Sampling.PLACE, nw + r.nextFloat(), nh + r.nextFloat(),
                            r.nextInt(w + nw) - nw + r.nextFloat(), r.nextInt(h + nh) - nh - r.nextFloat(),
                            r.nextBoolean(), r.nextBoolean() ? null : new Transform.Distortion(r.nextFloat() - .5f,
                                    .5f + r.nextFloat(), .5f + r.nextFloat()));
                }
                default -> Transform.letterbox(w, h, ow, oh);
            };
            return Arguments.of(seed, RandomImages.random(r, ow, oh), t);
        });
    }

    @ParameterizedTest(name = "seed {0}: {2}")
    @MethodSource("cases")
    void wholeCanvasAndCropsEqualDarknet(int seed, RgbImage image, Transform t) {
        float[] expected = DarknetPipeline.canvas(image, t);
        Rect full = new Rect(0, 0, t.width() - 1, t.height() - 1);
        float[] whole = new float[3 * full.area()];
        Preprocess.render(image, t, full, whole, 0);
        assertArrayEquals(expected, whole, "whole canvas");

        Random r = new Random(seed + 1000);
        for (int k = 0; k < 8; k++) {
            int x1 = r.nextInt(t.width()), y1 = r.nextInt(t.height());
            Rect rect = new Rect(x1, y1, x1 + r.nextInt(t.width() - x1), y1 + r.nextInt(t.height() - y1));
            Rect source = Preprocess.sourceRegion(t, rect);
            RgbImage part = source == null ? null : RandomImages.restrict(image, source);
            float[] crop = new float[3 * rect.area() + 7];
            Preprocess.render(part, t, rect, crop, 7);
            float[] want = new float[crop.length];
            for (int c = 0; c < 3; c++) {
                for (int y = rect.y1(); y <= rect.y2(); y++) {
                    for (int x = rect.x1(); x <= rect.x2(); x++) {
                        want[7 + (c * rect.height() + y - rect.y1()) * rect.width() + x - rect.x1()] =
                                expected[(c * t.height() + y) * t.width() + x];
                    }
                }
            }
            assertArrayEquals(want, crop, "crop " + rect + " from source " + source);
        }
    }

    /** 2×1 image (a, b) placed 4 wide: positions 0, .5, 1, 1.5 of the original; beyond the last pixel is 0. */
    @Test
    void placeSamplesBilinearWithZeroBeyondTheImage() {
        RgbImage im = new RgbImage(2, 1, new Rect(0, 0, 1, 0), new float[] {.2f, .6f, 0, 0, 0, 0});
        Transform t = new Transform(6, 1, 2, 1, Transform.Sampling.PLACE, 4.7f, 1, 1.9f, 0, false, null);
        float[] out = new float[18];
        Preprocess.render(im, t, new Rect(0, 0, 5, 0), out, 0);
        // dx 1.9 truncates to 1 and width 4.7 to 4, as Darknet's int parameters of place_image
        assertArrayEquals(new float[] {.5f, .2f, .5f * .2f + .5f * .6f, .6f, .5f * .6f, .5f}, java.util.Arrays.copyOf(out, 6));
        assertArrayEquals(new float[] {.5f, 0, 0, 0, 0, .5f}, java.util.Arrays.copyOfRange(out, 6, 12));
    }

    /** 3×1 image (a, b, c) resized to 5 wide: corners aligned, step (3-1)/(5-1) = .5; the last takes c. */
    @Test
    void letterboxResizesWithAlignedCorners() {
        RgbImage im = new RgbImage(3, 1, new Rect(0, 0, 2, 0), new float[] {.1f, .5f, .9f, 0, 0, 0, 0, 0, 0});
        Transform t = new Transform(5, 3, 3, 1, Transform.Sampling.RESIZE, 5, 1, 0, 1, false, null);
        float[] out = new float[45];
        Preprocess.render(im, t, new Rect(0, 0, 4, 2), out, 0);
        float[] red = java.util.Arrays.copyOf(out, 15);
        assertArrayEquals(new float[] {.5f, .5f, .5f, .5f, .5f, .1f, .5f * .1f + .5f * .5f, .5f, .5f * .5f + .5f * .9f, .9f,
                .5f, .5f, .5f, .5f, .5f}, red);
    }

    @Test
    void letterboxKeepsTheAspectAndCentres() {
        Transform t = Transform.letterbox(416, 416, 200, 100);
        assertEquals(416, t.placedWidth());
        assertEquals(208, t.placedHeight());
        assertEquals(0, t.dx());
        assertEquals(104, t.dy());
        Transform tall = Transform.letterbox(416, 416, 100, 300);
        assertEquals(138, tall.placedWidth()); // 100 * 416 / 300 in integers
        assertEquals(139, tall.dx()); // (416 - 138) / 2
    }

    @Test
    void flipMirrorsTheCanvas() {
        RgbImage im = RandomImages.random(new Random(3), 5, 4);
        Transform plain = new Transform(7, 4, 5, 4, Transform.Sampling.PLACE, 5, 4, 1, 0, false, null);
        Transform flipped = new Transform(7, 4, 5, 4, Transform.Sampling.PLACE, 5, 4, 1, 0, true, null);
        Rect full = new Rect(0, 0, 6, 3);
        float[] a = new float[3 * 28], b = new float[3 * 28];
        Preprocess.render(im, plain, full, a, 0);
        Preprocess.render(im, flipped, full, b, 0);
        for (int i = 0; i < 3 * 4; i++) {
            for (int x = 0; x < 7; x++) {
                assertEquals(a[i * 7 + x], b[i * 7 + 6 - x]);
            }
        }
    }

    @Test
    void aCropInTheFillNeedsNoPixels() {
        Transform t = Transform.letterbox(64, 64, 100, 20); // image rows 26..37 of the canvas
        assertNull(Preprocess.sourceRegion(t, new Rect(0, 0, 63, 20)));
        float[] out = new float[3 * 64 * 21];
        Preprocess.render(null, t, new Rect(0, 0, 63, 20), out, 0);
        for (float v : out) {
            assertEquals(.5f, v);
        }
    }
}
