package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Region against Darknet: hand-computed cases, a line-by-line transcription of region_layer.c
 * ({@link RegionTranscription}) on seeded random cases (equal to the bit), and finite differences of the
 * loss the deltas are the gradient of once targets and assignments are fixed.
 */
class RegionTest {
    /** Central-difference step on the double-precision fixed-target loss. */
    private static final double STEP = 1e-4;
    /** |analytic − numeric| ≤ TOLERANCE·max(1, |numeric|): float rounding of the deltas and O(STEP²) truncation. */
    private static final double TOLERANCE = 1e-5;
    private static final long AFTER_WARM_UP = 20000;

    /** A seeded random case: raw inputs uniform in [−2, 2), boxes mixing cell borders, both edges and the interior. */
    record Case(String name, Region.Config config, int batch, int h, int w, int[] boxes, long seen, long seed) {
        @Override
        public String toString() {
            return name;
        }

        Region region() {
            return new Region(config, new Shape(config.n() * config.entries(), h, w));
        }

        Tensor input() {
            Random r = new Random(seed);
            Tensor x = Tensor.zeros(batch, region().inputShape());
            for (int i = 0; i < x.data.length; i++) {
                x.data[i] = r.nextFloat() * 4 - 2;
            }
            return x;
        }

        Truth truth() {
            Random r = new Random(seed + 1000);
            float[] v = new float[batch * Region.MAX_BOXES * 5];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < boxes[b]; t++) {
                    int k = (b * Region.MAX_BOXES + t) * 5;
                    v[k] = coordinate(r, w);
                    v[k + 1] = coordinate(r, h);
                    v[k + 2] = 0.05f + 0.85f * r.nextFloat();
                    v[k + 3] = 0.05f + 0.85f * r.nextFloat();
                    v[k + 4] = r.nextInt(config.classes());
                }
            }
            return new Truth(Region.MAX_BOXES * 5, v);
        }

        private static float coordinate(Random r, int cells) {
            return switch (r.nextInt(4)) {
                case 0 -> cells > 1 ? (float) (1 + r.nextInt(cells - 1)) / cells : 0.5f; // on a cell border
                case 1 -> 0.999f;
                case 2 -> 0.001f;
                default -> 0.05f + 0.9f * r.nextFloat();
            };
        }

        RegionTranscription darknet() {
            RegionTranscription t = new RegionTranscription(config, batch, h, w);
            t.run(input().data, truth().values(), seen);
            return t;
        }
    }

    /** Anchors uniform in [0.3, 3) cells; scales all different so that a mixed-up scale shows. */
    private static Region.Config config(int n, int classes, boolean biasMatch, boolean softmax, boolean rescore, float thresh, long seed) {
        Random r = new Random(seed);
        float[] anchors = new float[2 * n];
        for (int i = 0; i < anchors.length; i++) {
            anchors[i] = 0.3f + 2.7f * r.nextFloat();
        }
        return new Region.Config(n, classes, 4, anchors, biasMatch, softmax, rescore, 5, 0.5f, 1.5f, 2, thresh);
    }

    /** cfg/yolov2-tiny-voc.cfg's [region]. */
    private static Region.Config tinyVoc() {
        float[] anchors = {1.08f, 1.19f, 3.42f, 4.41f, 6.63f, 11.38f, 9.42f, 5.11f, 16.62f, 10.52f};
        return new Region.Config(5, 20, 4, anchors, true, true, true, 5, 1, 1, 1, .6f);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("1x1 grid, 1 anchor, one box, warm-up", config(1, 2, true, true, false, .6f, 1), 1, 1, 1, new int[] {1}, 0, 1),
                new Case("1x1 grid, 1 anchor, one box, after warm-up", config(1, 2, true, true, true, .6f, 2), 1, 1, 1, new int[] {1}, AFTER_WARM_UP, 2),
                new Case("1x1 grid, 1 anchor, two boxes claim it, softmax", config(1, 2, true, true, true, .6f, 3), 1, 1, 1, new int[] {2}, 0, 3),
                new Case("1x1 grid, 1 anchor, two boxes claim it, logistic classes", config(1, 2, true, false, true, .6f, 4), 1, 1, 1, new int[] {2}, AFTER_WARM_UP, 4),
                new Case("2x2 grid, 2 anchors, two boxes, bias_match", config(2, 2, true, true, true, .6f, 5), 1, 2, 2, new int[] {2}, 100, 5),
                new Case("2x2 grid, 2 anchors, two boxes, predicted shapes", config(2, 2, false, true, false, .3f, 6), 1, 2, 2, new int[] {2}, AFTER_WARM_UP, 6),
                new Case("3x5 grid, 3 anchors, batch 3 with 0, 1 and 4 boxes", config(3, 3, true, true, true, .2f, 7), 3, 3, 5, new int[] {0, 1, 4}, 640, 7),
                new Case("5x3 grid, logistic classes, last warm-up batch", config(2, 4, false, false, false, .3f, 8), 2, 5, 3, new int[] {3, 0}, 12799, 8),
                new Case("5x3 grid, logistic classes, warm-up over", config(2, 4, false, false, true, .3f, 9), 2, 5, 3, new int[] {3, 2}, 12800, 9),
                new Case("4x4 grid, yolov2-tiny-voc region, batch 2", tinyVoc(), 2, 4, 4, new int[] {5, 2}, 3200, 10),
                new Case("2x3 grid, batch 2, no boxes", config(2, 2, true, true, true, .6f, 11), 2, 2, 3, new int[] {0, 0}, 0, 11));
    }

    private static Pass pass(long seen) {
        return new WholeMapPass(true, 7, seen);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void equalsDarknetsLoopToTheBit(Case c) {
        Tensor x = c.input();
        RegionTranscription darknet = new RegionTranscription(c.config(), c.batch(), c.h(), c.w());
        float[] netDelta = darknet.run(x.data.clone(), c.truth().values(), c.seen());

        Region region = c.region();
        assertArrayEquals(darknet.output, region.forward(x, region.outputShape().full(), pass(c.seen())).data, "activated output");
        LossLayer.Loss loss = region.loss(x, c.truth(), pass(c.seen()));
        assertEquals(darknet.cost, loss.cost(), "cost");
        float[] expected = new float[netDelta.length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = -netDelta[i];
        }
        assertArrayEquals(expected, loss.inputGradient().data, "gradient = −(delta after the logistic gradient)");
    }

    /**
     * Darknet's deltas are the negative gradient of Σ scale/2·(target − σ(z))² over x, y, objectness,
     * Σ scale/2·(target − z)² over w, h and scale·cross-entropy over the classes, with every target and
     * assignment as this forward fixed them; the loss itself is smooth, so every coordinate is checked.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientIsThatOfTheFixedTargetLoss(Case c) {
        Tensor x = c.input();
        LossLayer.Loss loss = c.region().loss(x, c.truth(), pass(c.seen()));
        RegionTranscription darknet = c.darknet();
        double[] z = new double[x.data.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = x.data[i];
        }
        List<String> failures = new ArrayList<>();
        for (int k = 0; k < z.length; k++) {
            double saved = z[k];
            z[k] = saved + STEP;
            double plus = darknet.fixedTargetLoss(z);
            z[k] = saved - STEP;
            double minus = darknet.fixedTargetLoss(z);
            z[k] = saved;
            double numeric = (plus - minus) / (2 * STEP);
            double analytic = loss.inputGradient().data[k];
            if (Math.abs(analytic - numeric) > TOLERANCE * Math.max(1, Math.abs(numeric))) {
                failures.add("dx[" + k + "] analytic " + analytic + " numeric " + numeric);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + z.length + " off: " + String.join("; ", failures.subList(0, Math.min(8, failures.size()))));
    }

    /** Guards the cases above against testing less than they claim. */
    @Test
    void theCasesReachEveryBranch() {
        int zeroed = 0, reclaimed = 0, tagged = 0;
        for (Case c : cases().toList()) {
            RegionTranscription t = c.darknet();
            zeroed += t.zeroedObjectness;
            reclaimed += t.reclaimed;
            tagged += t.tagged;
        }
        assertTrue(zeroed > 0, "no prediction overlapped a truth above thresh");
        assertTrue(reclaimed > 0, "no anchor was claimed by two truths");
        assertTrue(tagged > 0, "delta_region_class's tag never ran");
    }

    static Stream<Arguments> handComputed() {
        float ln2 = (float) Math.log(2);
        Region.Config oneAnchor = new Region.Config(1, 2, 4, new float[] {1, 1}, true, true, false, 5, 1, 1, 1, .6f);
        Region.Config twoAnchors = new Region.Config(2, 2, 4, new float[] {1, 1, .5f, .5f}, true, true, true, 5, 1, 1, 1, .6f);
        return Stream.of(
                // All raw zeros: σ = .5, classes .5/.5, predicted box (.5, .5, 1, 1) has IoU .25 with the truth.
                // Truth (.25, .75, .5, .5) class 1: coord scale 2 − .25 = 1.75, tx = .25, ty = .75, tw = th = ln .5.
                // Objectness 5·(1 − .5) overwrites the no-object −.5; x, y, objectness deltas then times σ' = .25.
                Arguments.of("one box after warm-up", oneAnchor, new float[7], box(.25f, .75f, .5f, .5f, 1), AFTER_WARM_UP,
                        new float[] {.4375f * .25f, -.4375f * .25f, 1.75f * ln2, 1.75f * ln2, -2.5f * .25f, .5f, -.5f},
                        2 * .4375f * .4375f + 2 * (1.75f * ln2) * (1.75f * ln2) + 2.5f * 2.5f + 2 * .25f),
                // No truth, warm-up: the prior (.5, .5, 1, 1) pulls w and h (raw .5, −.5) by .01·(0 − raw); no-object −.5.
                Arguments.of("warm-up without boxes", oneAnchor, new float[] {0, 0, .5f, -.5f, 0, 0, 0}, new float[Region.MAX_BOXES * 5], 0,
                        new float[] {0, 0, .005f, -.005f, .5f * .25f, 0, 0},
                        2 * .005f * .005f + .25f),
                // bias_match: anchor 1 (.5 × .5) overlaps the truth shape .25 × .5 with IoU .5, anchor 0 with .125.
                // Anchor 1 predicts (.5, .5, .5, .5), IoU .5 with the truth, so rescore makes its objectness delta
                // 5·(.5 − .5) = 0; coord scale 2 − .125, tw = ln(.25/.5), th = 0; class 0. Anchor 0 keeps no-object −.5.
                Arguments.of("bias_match and rescore pick anchor 1", twoAnchors, new float[14], box(.5f, .5f, .25f, .5f, 0), AFTER_WARM_UP,
                        new float[] {0, 0, 0, 0, .5f * .25f, 0, 0, 0, 0, 1.875f * ln2, 0, 0, -.5f, .5f},
                        .25f + (1.875f * ln2) * (1.875f * ln2) + 2 * .25f));
    }

    private static float[] box(float x, float y, float w, float h, int c) {
        float[] v = new float[Region.MAX_BOXES * 5];
        v[0] = x;
        v[1] = y;
        v[2] = w;
        v[3] = h;
        v[4] = c;
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("handComputed")
    void matchesHandComputedDeltas(String name, Region.Config config, float[] input, float[] truth, long seen, float[] gradient, float cost) {
        Region region = new Region(config, new Shape(input.length, 1, 1));
        LossLayer.Loss loss = region.loss(new Tensor(1, input.length, region.inputShape().full(), input), new Truth(truth.length, truth), pass(seen));
        assertArrayEquals(gradient, loss.inputGradient().data, 1e-6f);
        assertEquals(cost, loss.cost(), 1e-6f * cost);
    }

    @Test
    void boxesAfterAnEmptySlotAreIgnored() {
        Case c = cases().filter(k -> k.boxes().length == 1 && k.boxes()[0] == 2 && k.w() == 2).findFirst().orElseThrow();
        float[] both = c.truth().values();
        float[] first = Arrays.copyOf(both, both.length);
        Arrays.fill(first, 5, 10, 0);
        float[] gap = new float[both.length];
        System.arraycopy(both, 0, gap, 0, 5);
        System.arraycopy(both, 5, gap, 10, 5);
        Region region = c.region();
        Tensor x = c.input();
        float[] expected = region.loss(x, new Truth(both.length, first), pass(c.seen())).inputGradient().data;
        assertArrayEquals(expected, region.loss(x, new Truth(gap.length, gap), pass(c.seen())).inputGradient().data);
        assertFalse(Arrays.equals(expected, region.loss(x, new Truth(both.length, both), pass(c.seen())).inputGradient().data),
                "the second box must matter when it is not behind an empty slot");
    }

    static Stream<Arguments> forwardShapes() {
        return Stream.of(
                Arguments.of(1, 2, 1, 1, 1, true, 1L),
                Arguments.of(2, 3, 3, 5, 2, true, 2L),
                Arguments.of(3, 2, 4, 3, 3, false, 3L),
                Arguments.of(5, 20, 2, 2, 2, true, 4L));
    }

    @ParameterizedTest
    @MethodSource("forwardShapes")
    void backwardIsTheExactGradientOfForward(int n, int classes, int h, int w, int batch, boolean softmax, long seed) {
        Region.Config config = config(n, classes, true, softmax, true, .6f, seed);
        Region region = new Region(config, new Shape(n * config.entries(), h, w));
        new GradientCheck(region, batch, GradientCheck.training(), seed).run();
    }

    @Test
    void decodesDetectionsAsDarknet() {
        Region.Config config = new Region.Config(1, 2, 4, new float[] {2, 3}, true, true, true, 5, 1, 1, 1, .6f);
        Region region = new Region(config, new Shape(7, 1, 2));
        // Cell 0: objectness σ(2) = .881, classes softmax(ln 3, 0) = .75/.25. Cell 1: objectness σ(−2) = .119.
        float ln3 = (float) Math.log(3);
        float[] raw = {0, 0, 0, 0, 0, 0, 0, 0, 2, -2, ln3, 0, 0, 0};
        Tensor y = region.forward(new Tensor(1, 7, region.inputShape().full(), raw), region.outputShape().full(), pass(0));
        List<Region.Detection> d = region.detections(y, 0, .5f);
        float obj = (float) (1 / (1 + Math.exp(-2)));
        assertEquals(new Box(.25f, .5f, 1, 3), d.get(0).box());
        assertEquals(obj, d.get(0).objectness());
        assertArrayEquals(new float[] {obj * .75f, 0}, d.get(0).probabilities(), 1e-6f);
        assertEquals(new Box(.75f, .5f, 1, 3), d.get(1).box());
        assertEquals(0, d.get(1).objectness());
        assertArrayEquals(new float[] {0, 0}, d.get(1).probabilities());
    }

    @Test
    void rejectsWhatDarknetWouldMisread() {
        Case c = cases().filter(k -> k.boxes()[0] == 1).findFirst().orElseThrow();
        Region region = c.region();
        float[] badClass = c.truth().values().clone();
        badClass[4] = c.config().classes();
        assertThrows(IllegalArgumentException.class, () -> region.loss(c.input(), new Truth(badClass.length, badClass), pass(0)));
        float[] outside = c.truth().values().clone();
        outside[1] = 1.5f;
        assertThrows(IllegalArgumentException.class, () -> region.loss(c.input(), new Truth(outside.length, outside), pass(0)));
        assertThrows(IllegalArgumentException.class, () -> region.loss(c.input(), new Truth(5, new float[5]), pass(0)));
        assertThrows(IllegalStateException.class, () -> region.loss(c.input(), c.truth(), new WholeMapPass(true, 7)));
        assertThrows(IllegalArgumentException.class, () -> new Region(c.config(), new Shape(c.config().entries() + 1, 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> new Region.Config(2, 2, 4, new float[3], true, true, true, 5, 1, 1, 1, .6f));
    }
}
