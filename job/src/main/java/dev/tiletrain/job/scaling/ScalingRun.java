package dev.tiletrain.job.scaling;

import dev.tiletrain.job.metrics.TrainingCsv;
import dev.tiletrain.job.report.CsvTable;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * One run of {@code submit/scaling}, as its directory holds it: {@code row.properties} (what the script ran:
 * model, input size, batch, devices, grid, grouping, link, batch-norm mode, engine), the run's iterations CSV,
 * and for a Spark run the cost model's {@code *-prediction.properties}. Measured figures are medians over
 * the iterations after the first {@value #WARM_UP} (JIT compilation and executor start-up).
 */
record ScalingRun(Properties row, List<Map<String, String>> iterations, Properties prediction) {
    static final int WARM_UP = 2;

    static ScalingRun read(Path dir) throws IOException {
        Properties row = properties(dir.resolve("row.properties"));
        Properties prediction = new Properties();
        Path csv = null;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith("-iterations.csv")) {
                    csv = f;
                } else if (name.endsWith("-prediction.properties")) {
                    prediction = properties(f);
                }
            }
        }
        if (csv == null) {
            throw new IOException(dir + " holds no iterations CSV: the run did not train");
        }
        List<Map<String, String>> rows = CsvTable.read(FileSystem.getLocal(new Configuration()).getRawFileSystem(),
                new org.apache.hadoop.fs.Path(csv.toUri())).rows();
        return new ScalingRun(row, rows, prediction);
    }

    String get(String key) {
        String v = row.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("row.properties has no " + key);
        }
        return v;
    }

    int devices() {
        return Integer.parseInt(get("devices"));
    }

    boolean inProcess() {
        return get("engine").equals("in-process");
    }

    /** The rows the medians are taken over: those after the warm-up. */
    List<Map<String, String>> measured() {
        return iterations.subList(Math.min(WARM_UP, iterations.size()), iterations.size());
    }

    /** Median seconds per iteration. */
    double seconds() {
        return inProcess() ? median(column(TrainingCsv.WALL_MS)) / 1000 : median(column("seconds"));
    }

    /** Spark's share of an iteration: its overhead beyond the tasks over the iteration's time. */
    OptionalDouble sparkShare() {
        if (inProcess()) {
            return OptionalDouble.empty();
        }
        List<Double> share = new ArrayList<>();
        for (Map<String, String> r : measured()) {
            share.add(Double.parseDouble(r.get("spark_overhead_ms")) / 1000 / Double.parseDouble(r.get("seconds")));
        }
        return OptionalDouble.of(median(share));
    }

    /**
     * Each device's peak memory over the measured iterations, MiB, device 1 (the driver's) first: the test
     * bed's measure of the device (its cgroup). The in-process trainer knows only its JVM's heap peak.
     */
    double[] peakMiB() {
        if (inProcess()) {
            return new double[] {maximum(column(TrainingCsv.LOCAL_DEVICE + TrainingCsv.PEAK_MB))};
        }
        double[] peaks = new double[devices()];
        for (int d = 0; d < peaks.length; d++) {
            peaks[d] = maximum(column("device-" + (d + 1) + TrainingCsv.PEAK_MB));
        }
        return peaks;
    }

    /** Each device's link bytes per iteration (median), MB. */
    double[] linkMB() {
        double[] link = new double[inProcess() ? 0 : devices()];
        for (int d = 0; d < link.length; d++) {
            link[d] = median(column("device-" + (d + 1) + TrainingCsv.LINK_BYTES)) / 1e6;
        }
        return link;
    }

    /** The prediction's value of {@code key}, when the run has one. */
    OptionalDouble predicted(String key) {
        String v = prediction.getProperty(key);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(v));
    }

    private List<Double> column(String name) {
        List<Double> values = new ArrayList<>();
        for (Map<String, String> r : measured()) {
            String v = r.get(name);
            if (v != null && !v.isEmpty()) {
                values.add(Double.parseDouble(v));
            }
        }
        return values;
    }

    private static double maximum(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static Properties properties(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return p;
    }
}
