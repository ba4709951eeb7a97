package dev.tiletrain.job.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * voc_eval's rules on hand-computed fixtures. Boxes are VOC pixel corners; a side from 1 to 10 counts 10
 * pixels. Each expected AP is worked out in the comment: the ranks' (recall, precision), precision made
 * non-increasing from the right, then Σ Δrecall · precision.
 */
class VocEvalTest {
    /** 10×10 pixels at the top left, and another far from it. */
    static final PixelBox A = new PixelBox(1, 1, 10, 10), FAR = new PixelBox(50, 50, 60, 60);

    static VocEval.Scored det(int image, float p, PixelBox box) {
        return new VocEval.Scored(image, p, box);
    }

    static Stream<Arguments> fixtures() {
        return Stream.of(
                // Two images, one truth each. Ranks: TP (.9), FP (.8, far from the truth), TP (.7).
                // (r, p) = (.5, 1), (.5, .5), (1, 2/3) → monotone p 1, 2/3, 2/3 → AP = .5·1 + .5·2/3 = 5/6.
                Arguments.of("one miss between two hits",
                        List.of(det(0, .9f, A), det(1, .8f, FAR), det(1, .7f, A)),
                        List.of(List.of(A), List.of(A)), 5 / 6., 2, 2, 1),
                // The given order is the ranking; the same detections listed the other way round rank alike.
                Arguments.of("ranked by probability, not by the order given",
                        List.of(det(1, .7f, A), det(1, .8f, FAR), det(0, .9f, A)),
                        List.of(List.of(A), List.of(A)), 5 / 6., 2, 2, 1),
                // Equal probabilities keep the given order: FP then TP → (0, 0), (1, .5) → AP = .5 ...
                Arguments.of("tie, false positive listed first",
                        List.of(det(0, .8f, FAR), det(0, .8f, A)), List.of(List.of(A)), .5, 1, 1, 1),
                // ... TP then FP → (1, 1), (1, .5) → AP = 1.
                Arguments.of("tie, true positive listed first",
                        List.of(det(0, .8f, A), det(0, .8f, FAR)), List.of(List.of(A)), 1., 1, 1, 1),
                // A duplicate of a matched truth is a false positive: (1, 1), (1, .5) → AP = 1, FP 1.
                Arguments.of("duplicate detection",
                        List.of(det(0, .9f, A), det(0, .8f, A)), List.of(List.of(A)), 1., 1, 1, 1),
                // The duplicate overlaps the taken truth A best (IoU .8) and a free truth B less (.75): voc_eval
                // looks at the best only, so it is a false positive and B stays missed: (.5, 1), (.5, .5) → AP .5.
                Arguments.of("duplicate whose second-best truth is free",
                        List.of(det(0, .9f, A), det(0, .8f, new PixelBox(1, 1, 10, 8))),
                        List.of(List.of(A, new PixelBox(1, 1, 10, 6))), .5, 2, 1, 1),
                // IoU exactly .5 (50 of 100 pixels) is no match, as voc_eval's strict '>': AP 0.
                Arguments.of("overlap of exactly the threshold",
                        List.of(det(0, .9f, new PixelBox(1, 1, 10, 5))), List.of(List.of(A)), 0., 1, 0, 1),
                // 60 of 100 pixels is a match.
                Arguments.of("overlap above the threshold",
                        List.of(det(0, .9f, new PixelBox(1, 1, 10, 6))), List.of(List.of(A)), 1., 1, 1, 0),
                // A detection in an image without a truth of the class is a false positive; the other image's
                // truth is never found: (0, 0) → AP 0.
                Arguments.of("detection in an image without truth",
                        List.of(det(1, .9f, A)), List.of(List.of(A), List.of()), 0., 1, 0, 1),
                // No detections at all: AP 0, recall never rises.
                Arguments.of("no detections", List.of(), List.of(List.of(A)), 0., 1, 0, 0),
                // Precision rises again after a dip and lifts the earlier recall step: ranks TP, FP, FP, TP, TP
                // over 4 truths: (.25, 1), (.25, .5), (.25, 1/3), (.5, .5), (.75, .6) → monotone at the recall
                // steps: 1, .6, .6 → AP = .25·1 + .25·.6 + .25·.6 = .55.
                Arguments.of("precision rising after a dip",
                        List.of(det(0, .9f, A), det(0, .8f, FAR), det(1, .7f, FAR), det(1, .6f, A), det(2, .5f, A)),
                        List.of(List.of(A), List.of(A), List.of(A), List.of(A)), .55, 4, 3, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void averagePrecision(String what, List<VocEval.Scored> detections, List<List<PixelBox>> truths, double ap,
            int truthCount, int tp, int fp) {
        AveragePrecision r = VocEval.evaluate("c", detections, truths, .5);
        assertEquals(ap, r.ap(), 1e-12);
        assertEquals(truthCount, r.truths());
        assertEquals(tp, r.truePositives());
        assertEquals(fp, r.falsePositives());
    }

    /** A class without truth boxes has no AP (NaN) and every detection is a false positive. */
    @Test
    void classWithoutTruth() {
        AveragePrecision r = VocEval.evaluate("none", List.of(det(0, .9f, A), det(0, .3f, FAR)),
                List.of(List.of()), .5);
        assertTrue(Double.isNaN(r.ap()));
        assertEquals(0, r.truths());
        assertEquals(2, r.falsePositives());
    }

    /**
     * The mean is over the classes with truth boxes: 5/6 and 0 average to 5/12; the class without truth is
     * listed but left out (voc_eval's NaN would make the mean NaN).
     */
    @Test
    void meanLeavesOutClassesWithoutTruth() {
        MeanAveragePrecision m = new MeanAveragePrecision(List.of(
                new AveragePrecision("a", 2, 2, 1, 5 / 6.),
                new AveragePrecision("b", 0, 0, 2, Double.NaN),
                new AveragePrecision("c", 1, 0, 0, 0)), .5, .005f, 2);
        assertEquals(5 / 12., m.value(), 1e-12);
        assertEquals(2, m.classesWithTruths());
        assertTrue(m.table().lines().anyMatch(l -> List.of(l.trim().split(" +")).equals(List.of("b", "-", "0", "2", "0"))),
                m.table());
    }

    @Test
    void meanOfNoClassWithTruthIsNaN() {
        assertTrue(Double.isNaN(new MeanAveragePrecision(List.of(new AveragePrecision("b", 0, 0, 2, Double.NaN)),
                .5, .005f, 1).value()));
    }

    /** The inverse of voc_label.py, and print_detector_detections' shift and clipping. */
    @Test
    void pixelBoxes() {
        assertEquals(new PixelBox(26, 31, 76, 51), PixelBox.ofLabel(.5f, .5f, .5f, .25f, 100, 80));
        assertEquals(new PixelBox(1, 51, 16, 80), PixelBox.ofDetection(5, 70, 20, 40, 100, 80));
        assertEquals(.6, A.iou(new PixelBox(1, 1, 10, 6)), 1e-15);
        assertEquals(0, A.iou(FAR));
    }
}
