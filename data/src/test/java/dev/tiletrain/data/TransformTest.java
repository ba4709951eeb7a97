package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The random training transform stays inside the ranges Darknet's load_data_detection draws from. */
class TransformTest {
    private static final Augmentation AUG = new Augmentation(.3f, .1f, 1.5f, 1.25f, true, 416, 320);

    static Stream<Long> seeds() {
        return IntStream.range(0, 200).mapToObj(i -> (long) i);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void drawsStayInDarknetsRanges(long seed) {
        int ow = 500, oh = 375;
        Transform t = Transform.random(AUG, ow, oh, Rng.of(seed));
        // the longer relative side spans the network; the aspect is jittered by at most jitter of each side
        float aspect = t.placedWidth() / t.placedHeight();
        assertTrue(aspect >= (ow - .3f * ow) / (oh + .3f * oh) * .999f && aspect <= (ow + .3f * ow) / (oh - .3f * oh) * 1.001f);
        assertTrue(t.placedWidth() == 416 || t.placedHeight() == 320);
        assertTrue(between(t.dx(), 0, 416 - t.placedWidth()));
        assertTrue(between(t.dy(), 0, 320 - t.placedHeight()));
        Transform.Distortion d = t.distortion();
        assertNotNull(d);
        assertTrue(d.hue() >= -.1f && d.hue() <= .1f);
        assertTrue(d.saturation() >= 1 / 1.5f * .9999f && d.saturation() <= 1.5f);
        assertTrue(d.exposure() >= 1 / 1.25f * .9999f && d.exposure() <= 1.25f);
        assertEquals(Transform.Sampling.PLACE, t.sampling());
    }

    @Test
    void sameStreamSameTransformAndBothFlipsOccur() {
        int flips = 0;
        for (long s = 0; s < 100; s++) {
            assertEquals(Transform.random(AUG, 300, 200, Rng.of(s)), Transform.random(AUG, 300, 200, Rng.of(s)));
            flips += Transform.random(AUG, 300, 200, Rng.of(s)).flip() ? 1 : 0;
        }
        assertTrue(flips > 30 && flips < 70, flips + " flips of 100");
        Augmentation noFlip = new Augmentation(.3f, .1f, 1.5f, 1.25f, false, 416, 320);
        for (long s = 0; s < 20; s++) {
            assertFalse(Transform.random(noFlip, 300, 200, Rng.of(s)).flip());
        }
    }

    @Test
    void withoutJitterASquareImageFillsASquareNetwork() {
        Augmentation still = new Augmentation(0, 0, 1, 1, true, 416, 416);
        Transform t = Transform.random(still, 300, 300, Rng.of(5));
        assertEquals(416, t.placedWidth());
        assertEquals(416, t.placedHeight());
        assertEquals(0, t.dx());
        assertEquals(0, t.dy());
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(1, 0, 1, 1, true, 416, 416));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(.2f, -.1f, 1, 1, true, 416, 416));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(.2f, 0, 0, 1, true, 416, 416));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(.2f, 0, 1, 1, true, 0, 416));
    }

    private static boolean between(float v, float a, float b) {
        return v >= Math.min(a, b) && v <= Math.max(a, b);
    }
}
