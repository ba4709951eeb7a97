package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Darknet's distort_image on single pixels, against values computed by hand (tolerance 1e-6). */
class HsvTest {
    private static final float TOL = 1e-6f;

    private static float[] distort(float r, float g, float b, float hue, float sat, float exp) {
        float[] rgb = {r, g, b};
        Hsv.distort(rgb, hue, sat, exp);
        return rgb;
    }

    @Test
    void identityKeepsColours() {
        assertArrayEquals(new float[] {.2f, .4f, .8f}, distort(.2f, .4f, .8f, 0, 1, 1), TOL);
        assertArrayEquals(new float[] {.3f, .3f, .3f}, distort(.3f, .3f, .3f, 0, 1, 1), TOL);
        assertArrayEquals(new float[] {0, 0, 0}, distort(0, 0, 0, .2f, 2, 2), TOL);
    }

    @Test
    void hueTurnsRedIntoGreenAndBlue() {
        assertArrayEquals(new float[] {0, 1, 0}, distort(1, 0, 0, 1f / 3, 1, 1), TOL);
        assertArrayEquals(new float[] {0, 0, 1}, distort(1, 0, 0, -1f / 3, 1, 1), TOL); // wraps below 0
        assertArrayEquals(new float[] {0, 0, 1}, distort(0, 1, 0, 1f / 3, 1, 1), TOL);
    }

    @Test
    void greyIgnoresHueBecauseSaturationIsZero() {
        assertArrayEquals(new float[] {.5f, .5f, .5f}, distort(.5f, .5f, .5f, .3f, 1.5f, 1), TOL);
        assertArrayEquals(new float[] {.25f, .25f, .25f}, distort(.5f, .5f, .5f, .3f, 1.5f, .5f), TOL);
    }

    @Test
    void saturationAndExposureScale() {
        // red (h 0, s 1, v 1) at saturation .5: v(1-s) = .5 for g and b
        assertArrayEquals(new float[] {1, .5f, .5f}, distort(1, 0, 0, 0, .5f, 1), TOL);
        // (1, .5, .25): h = (g-b)/delta/6, s .75, v 1 -> exposure .5 halves every channel
        assertArrayEquals(new float[] {.5f, .25f, .125f}, distort(1, .5f, .25f, 0, 1, .5f), TOL);
    }

    @Test
    void resultIsClampedToUnit() {
        assertArrayEquals(new float[] {1, 1, 1}, distort(.8f, .8f, .8f, 0, 1, 2), TOL);
        // saturation 2 on s .5: s 1 -> p = v(1-s) = 0
        assertArrayEquals(new float[] {.8f, 0, 0}, distort(.8f, .4f, .4f, 0, 2, 1), TOL);
        // saturation 4 on s .5: s 2 -> p = v(1-2) = -.8, clamped
        assertArrayEquals(new float[] {.8f, 0, 0}, distort(.8f, .4f, .4f, 0, 4, 1), TOL);
    }
}
