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
 * bed, the largest executor's peak heap (Spark's executor metrics) is held against the largest executor's
 * predicted tensors, on a cluster of more than one device (on one, the prediction adds the driver's part).
 */
public final class PredictionCheck {
    private static final int WARM_UP = 2;
    /** Iterations a long run's medians take, its last. */
    private static final int STEADY = 5;

    private final Prediction predicted;
    private final List<String> devices;
    private final List<Double> seconds = new ArrayList<>();
    private final List<Map<String, DriverIteration.DeviceSample>> samples = new ArrayList<>();
    private DriverIteration.JvmPeaks jvms = new DriverIteration.JvmPeaks(Double.NaN, Double.NaN, Double.NaN);

    public PredictionCheck(Prediction predicted, List<String> devices) {
        this.predicted = predicted;
        this.devices = List.copyOf(devices);
    }

    public void add(double iterationSeconds, Map<String, DriverIteration.DeviceSample> devices,
            DriverIteration.JvmPeaks jvms) {
        seconds.add(iterationSeconds);
        samples.add(devices);
        this.jvms = jvms; // the executors' figures are peaks so far: the latest holds them all
    }

    /**
     * The first of {@code iterations} (0-based) that medians count: none of the first two (executors starting,
     * first compilations), and of a longer run only the last five, since on a device with 0.4 of a core the JIT
     * compiler is still busy until about the tenth iteration (measured on the test bed: a frozen-batch-norm run
     * went from 13.0 s in iteration 3 to 8.6 s in iteration 12).
     */
    public static int firstMeasured(int iterations) {
        return Math.min(iterations, Math.max(WARM_UP, iterations - STEADY));
    }

    /** The comparison, a line per quantity; empty before an iteration past the warm-up. */
    public String report() {
        if (seconds.size() <= WARM_UP) {
            return "";
        }
        int first = firstMeasured(seconds.size());
        StringBuilder text = new StringBuilder(String.format("predicted vs measured (median of iterations %d-%d):%n",
                first + 1, seconds.size()));
        text.append(row("iteration", predicted.iterationSeconds(), median(seconds.subList(first, seconds.size())), "s"));
        for (int d = 0; d < devices.size() && d < predicted.deviceMemory().length; d++) {
            String device = devices.get(d);
            List<Double> peaks = new ArrayList<>(), links = new ArrayList<>();
            for (Map<String, DriverIteration.DeviceSample> s : samples.subList(first, samples.size())) {
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
        long[] memory = predicted.deviceMemory();
        if (devices.isEmpty() && memory.length > 1 && !Double.isNaN(jvms.executorHeapMb())) {
            long executor = Arrays.stream(memory, 1, memory.length).max().orElse(0);
            text.append(row("executor tensors / peak heap", executor / 1048576.0, jvms.executorHeapMb(), "MiB"));
            if (!Double.isNaN(jvms.executorRssMb())) {
                text.append(String.format("  %-32s %10.3f MiB resident (JVM, heap and all)%n", "executor peak",
                        jvms.executorRssMb()));
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
