package dev.tiletrain.job.detect;

/**
 * One class's result: its truth boxes, the true and false positives among the detections kept, and the
 * average precision (NaN when the class has no truth box: recall is undefined).
 */
public record AveragePrecision(String name, int truths, int truePositives, int falsePositives, double ap) {
    public boolean hasTruths() {
        return truths > 0;
    }
}
