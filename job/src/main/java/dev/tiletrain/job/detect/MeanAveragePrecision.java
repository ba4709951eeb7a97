package dev.tiletrain.job.detect;

import java.util.List;
import java.util.Locale;

/**
 * The per-class results of one evaluation and their mean. The mean is over the classes that have truth boxes
 * in the evaluated images: a class without any has no defined AP (voc_eval would give NaN and make the mean
 * NaN), so it is listed, with its false positives, but not averaged.
 *
 * @param iou the overlap a detection needs (strictly more) to match a truth box
 * @param threshold the probability a detection needed to be kept
 */
public record MeanAveragePrecision(List<AveragePrecision> classes, double iou, float threshold, int images) {
    public MeanAveragePrecision {
        classes = List.copyOf(classes);
    }

    /** The mean AP over the classes with truth boxes; NaN when no class has any. */
    public double value() {
        return classes.stream().filter(AveragePrecision::hasTruths).mapToDouble(AveragePrecision::ap).average()
                .orElse(Double.NaN);
    }

    public long classesWithTruths() {
        return classes.stream().filter(AveragePrecision::hasTruths).count();
    }

    /** One line per class (AP, TP, FP, truths), then the mean. */
    public String table() {
        int width = Math.max(5, classes.stream().mapToInt(c -> c.name().length()).max().orElse(0));
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s %7s %7s %7s %7s%n", "class",
                "AP", "TP", "FP", "truths"));
        for (AveragePrecision c : classes) {
            t.append(String.format(Locale.ROOT, "%-" + width + "s %7s %7d %7d %7d%n", c.name(),
                    c.hasTruths() ? String.format(Locale.ROOT, "%.4f", c.ap()) : "-", c.truePositives(),
                    c.falsePositives(), c.truths()));
        }
        t.append(String.format(Locale.ROOT, "mAP@%.2f = %.4f (mean over the %d classes with truth boxes; %d images)%n",
                iou, value(), classesWithTruths(), images));
        return t.toString();
    }
}
