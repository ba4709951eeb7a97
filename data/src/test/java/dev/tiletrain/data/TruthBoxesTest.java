package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** fill_truth_detection / correct_boxes against hand-computed boxes (tolerance 1e-6). */
class TruthBoxesTest {
    private static final float TOL = 1e-6f;

    private static float[] truth(List<LabelBox> boxes, Transform t) {
        float[] out = new float[TruthBoxes.VALUES + 3];
        Arrays.fill(out, 9);
        TruthBoxes.fill(boxes, t, null, out, 3);
        return Arrays.copyOfRange(out, 3, out.length);
    }

    private static float[] slots(float... values) {
        return Arrays.copyOf(values, TruthBoxes.VALUES);
    }

    /** A 200×100 image on a 100×100 canvas: 100×50 at (0, 25). */
    private static Transform wide(boolean flip) {
        return new Transform(100, 100, 200, 100, Transform.Sampling.PLACE, 100, 50, 0, 25, flip, null);
    }

    @Test
    void boxesScaleAndShiftWithTheImage() {
        // y: .5 * .5 + .25 = .5; h: .4 * .5 = .2
        assertArrayEquals(slots(.5f, .5f, .2f, .2f, 3), truth(List.of(new LabelBox(.5f, .5f, .2f, .4f, 3)), wide(false)), TOL);
        // top edge .1 -> .1 * .5 + .25 = .3, bottom .3 -> .4
        assertArrayEquals(slots(.25f, .35f, .1f, .1f, 1), truth(List.of(new LabelBox(.25f, .2f, .1f, .2f, 1)), wide(false)), TOL);
    }

    @Test
    void flipMirrorsX() {
        assertArrayEquals(slots(.75f, .35f, .1f, .1f, 1), truth(List.of(new LabelBox(.25f, .2f, .1f, .2f, 1)), wide(true)), TOL);
    }

    @Test
    void boxesOutsideTheCanvasAreClampedOrDropped() {
        // a 100×100 image scaled to 200×100 and shifted left by 50: x' = 2x - .5
        Transform t = new Transform(100, 100, 100, 100, Transform.Sampling.PLACE, 200, 100, -50, 0, false, null);
        List<LabelBox> boxes = List.of(
                new LabelBox(.1f, .5f, .1f, .2f, 0), // edges .05, .15 -> -.4, -.2: gone
                new LabelBox(.3f, .5f, .2f, .2f, 1), // edges .2, .4 -> -.1, .3: clamped to 0, .3
                new LabelBox(.5f, .5f, .2f, .2f, 2)); // edges .4, .6 -> .3, .7
        assertArrayEquals(slots(.15f, .5f, .3f, .2f, 1, .5f, .5f, .4f, .2f, 2), truth(boxes, t), TOL);
    }

    @Test
    void letterboxBoxes() {
        Transform t = Transform.letterbox(416, 416, 200, 100); // 416×208 at (0, 104)
        assertArrayEquals(slots(.5f, .5f, 1, .5f, 4), truth(List.of(new LabelBox(.5f, .5f, 1, 1, 4)), t), TOL);
        assertArrayEquals(slots(.25f, .375f, .5f, .25f, 0), truth(List.of(new LabelBox(.25f, .25f, .5f, .5f, 0)), t), TOL);
    }

    @Test
    void atMostThirtyBoxesAndThinOnesDropped() {
        List<LabelBox> boxes = new ArrayList<>();
        boxes.add(new LabelBox(.5f, .5f, .0005f, .5f, 7)); // thinner than .001: dropped, the others move up
        for (int i = 0; i < 34; i++) {
            boxes.add(new LabelBox(.5f, .5f, .5f, .5f, i));
        }
        Transform identity = new Transform(10, 10, 10, 10, Transform.Sampling.PLACE, 10, 10, 0, 0, false, null);
        float[] t = truth(boxes, identity);
        // Darknet cuts to 30 before dropping, so 29 remain: classes 0..28
        for (int i = 0; i < 29; i++) {
            assertEquals(i, t[5 * i + 4]);
        }
        for (int i = 5 * 29; i < TruthBoxes.VALUES; i++) {
            assertEquals(0, t[i]);
        }
    }

    @Test
    void shuffleIsAPermutationDrawnFromTheStream() {
        List<LabelBox> boxes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            boxes.add(new LabelBox(.1f + .1f * i, .5f, .05f, .05f, i));
        }
        Transform identity = new Transform(10, 10, 10, 10, Transform.Sampling.PLACE, 10, 10, 0, 0, false, null);
        float[] a = new float[TruthBoxes.VALUES], b = new float[TruthBoxes.VALUES];
        TruthBoxes.fill(boxes, identity, Rng.of(1, 2), a, 0);
        TruthBoxes.fill(boxes, identity, Rng.of(1, 2), b, 0);
        assertArrayEquals(a, b);
        boolean[] seen = new boolean[6];
        boolean moved = false;
        for (int i = 0; i < 6; i++) {
            int cls = (int) a[5 * i + 4];
            seen[cls] = true;
            assertEquals(.1f + .1f * cls, a[5 * i], TOL);
            moved |= cls != i;
        }
        assertArrayEquals(new boolean[] {true, true, true, true, true, true}, seen);
        assertEquals(true, moved);
    }
}
