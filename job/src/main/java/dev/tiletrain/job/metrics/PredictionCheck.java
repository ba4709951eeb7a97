package dev.tiletrain.job.metrics;

import dev.tiletrain.tiles.Prediction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The cost model's prediction for the plan a run trains, held against what the run measured, for the log
 * at its end: the iteration time (median after the warm-up), each device's peak memory and the bytes its
 * link carried per iteration (median; on an emulated cluster), each with its relative error. Without a test
 * bed only the time is compared: nothing else measures a device there.
 */
public final class PredictionCheck {
    private static final int WARM_UP = 2;

    private final Prediction predicted;
    private final List<String> devices;
    private final List<Double> seconds = new ArrayList<>();
    private final List<Map<String, DriverIteration.DeviceSample>> samples = new ArrayList<>();

    public PredictionCheck(Prediction predicted, List<String> devices) {
        this.predicted = predicted;
        this.devices = List.copyOf(devices);
    }

    public void add(double iterationSeconds, Map<String, DriverIteration.DeviceSample> devices) {
        seconds.add(iterationSeconds);
        samples.add(devices);
    }

    /**
     * The prediction as {@code key=value} lines, for tools that set it beside the run's metrics CSV: the
     * iteration's seconds, and per device (0-based, the driver's first) its memory and link bytes.
     */
    public static String properties(Prediction p) {
        StringBuilder text = new StringBuilder();
        text.append("iteration.seconds=").append(p.iterationSeconds()).append('\n');
        text.append("stages=").append(p.stages()).append('\n');
        text.append("sync.rounds=").append(p.syncRounds()).append('\n');
        for (int d = 0; d < p.deviceMemory().length; d++) {
            text.append("device.").append(d).append(".memory.bytes=").append(p.deviceMemory()[d]).append('\n');
            text.append("device.").append(d).append(".link.bytes=").append(p.linkBytes()[d]).append('\n');
        }
        return text.toString();
    }

    /** The comparison, a line per quantity; empty before an iteration past the warm-up. */
    public String report() {
        if (seconds.size() <= WARM_UP) {
            return "";
        }
        StringBuilder text = new StringBuilder(String.format("predicted vs measured (median of iterations %d-%d):%n",
                WARM_UP + 1, seconds.size()));
        text.append(row("iteration", predicted.iterationSeconds(), median(seconds.subList(WARM_UP, seconds.size())), "s"));
        for (int d = 0; d < devices.size() && d < predicted.deviceMemory().length; d++) {
            String device = devices.get(d);
            List<Double> peaks = new ArrayList<>(), links = new ArrayList<>();
            for (Map<String, DriverIteration.DeviceSample> s : samples.subList(WARM_UP, samples.size())) {
                DriverIteration.DeviceSample one = s.get(device);
                if (one != null) {
                    peaks.add(one.peakBytes() / 1048576.0);
                    links.add(one.linkBytes() / 1e6);
                }
            }
            if (!peaks.isEmpty()) {
                text.append(row(device + " tensors / peak memory", predicted.deviceMemory()[d] / 1048576.0,
                        peaks.stream().mapToDouble(Double::doubleValue).max().orElse(0), "MiB"));
                text.append(row(device + " link", predicted.linkBytes()[d] / 1e6, median(links), "MB"));
            }
        }
        return text.toString();
    }

    private static String row(String what, double predicted, double measured, String unit) {
        return String.format("  %-32s %10.3f %s predicted %10.3f %s measured (%+.1f%%)%n", what, predicted, unit,
                measured, unit, 100 * (predicted - measured) / measured);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
