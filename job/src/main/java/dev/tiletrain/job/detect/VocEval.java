package dev.tiletrain.job.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * PASCAL VOC's evaluation of one class (py-faster-rcnn's {@code voc_eval} with {@code use_07_metric=False}):
 * detections ranked by probability, each matched to the truth box it overlaps most in its image; a match
 * above the threshold (strictly) is a true positive unless that box was matched before (then the duplicate
 * is a false positive, even if another box overlaps it too); anything else is a false positive. AP is the
 * area under the precision-recall curve with precision made monotone (all-point interpolation).
 *
 * <p>Ties in probability keep the order the detections are given in (Darknet's output order); voc_eval's
 * {@code np.argsort} keeps it too for small inputs, but leaves it unspecified in general.
 */
public final class VocEval {
    private VocEval() {}

    /** A detection of the class: its image (an index into the truths), probability and box. */
    public record Scored(int image, float probability, PixelBox box) {}

    /**
     * Evaluates {@code detections} against {@code truths}, the class's truth boxes per image (an image without
     * any is an empty list), at overlap {@code threshold}. A class without truth boxes has no recall: its AP is
     * NaN and every detection a false positive.
     */
    public static AveragePrecision evaluate(String name, List<Scored> detections, List<List<PixelBox>> truths,
            double threshold) {
        List<Scored> ranked = new ArrayList<>(detections);
        ranked.sort(Comparator.comparingDouble(Scored::probability).reversed()); // stable: ties keep their order
        int positives = truths.stream().mapToInt(List::size).sum();
        List<boolean[]> matched = truths.stream().map(t -> new boolean[t.size()]).toList();
        boolean[] truePositive = new boolean[ranked.size()];
        int tp = 0;
        for (int d = 0; d < ranked.size(); d++) {
            Scored s = ranked.get(d);
            List<PixelBox> boxes = truths.get(s.image());
            double best = Double.NEGATIVE_INFINITY;
            int at = -1;
            for (int j = 0; j < boxes.size(); j++) {
                double iou = s.box().iou(boxes.get(j));
                if (iou > best) { // the first of equal overlaps, as np.argmax
                    best = iou;
                    at = j;
                }
            }
            if (best > threshold && !matched.get(s.image())[at]) {
                matched.get(s.image())[at] = true;
                truePositive[d] = true;
                tp++;
            }
        }
        double ap = positives == 0 ? Double.NaN : allPointAp(truePositive, positives);
        return new AveragePrecision(name, positives, tp, ranked.size() - tp, ap);
    }

    /** voc_ap: recall and precision at each rank, precision made non-increasing, summed over recall steps. */
    private static double allPointAp(boolean[] truePositive, int positives) {
        int n = truePositive.length;
        double[] recall = new double[n + 2], precision = new double[n + 2];
        double tp = 0, fp = 0;
        for (int d = 0; d < n; d++) {
            if (truePositive[d]) {
                tp++;
            } else {
                fp++;
            }
            recall[d + 1] = tp / positives;
            precision[d + 1] = tp / Math.max(tp + fp, Math.ulp(1.0));
        }
        recall[n + 1] = 1;
        precision[n + 1] = 0;
        for (int i = n + 1; i > 0; i--) {
            precision[i - 1] = Math.max(precision[i - 1], precision[i]);
        }
        double ap = 0;
        for (int i = 0; i <= n; i++) {
            if (recall[i + 1] != recall[i]) {
                ap += (recall[i + 1] - recall[i]) * precision[i + 1];
            }
        }
        return ap;
    }
}
