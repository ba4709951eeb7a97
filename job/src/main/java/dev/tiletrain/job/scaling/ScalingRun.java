package dev.tiletrain.job.scaling;

import dev.tiletrain.job.metrics.PredictionCheck;
import dev.tiletrain.job.metrics.TrainingCsv;
import dev.tiletrain.job.report.CsvTable;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.tiles.CostModel;
import dev.tiletrain.tiles.DeviceProfile;
import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import dev.tiletrain.tiles.Prediction;
import dev.tiletrain.tiles.TrainingPlan;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * One run of {@code submit/scaling}, as its directory holds it: {@code row.properties} (what the script ran:
 * model, input size, batch, devices, grid, the grouping that resulted, link, batch-norm mode, engine) and the
 * run's iterations CSV. Measured figures are medians over the iterations the job's own check counts
 * ({@link PredictionCheck#firstMeasured}: after the first two, and of a long run its last five). A Spark run
 * also has its plan, rebuilt from the row, so that the cost model as it is now — not as it was when the run
 * wrote its own prediction — is checked against it.
 */
record ScalingRun(String name, Properties row, List<Map<String, String>> iterations, Optional<TrainingPlan> plan) {

    static ScalingRun read(Path dir, RunNetworks networks) throws IOException {
        Properties row = properties(dir.resolve("row.properties"));
        Path csv = null;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                if (f.getFileName().toString().endsWith("-iterations.csv")) {
                    csv = f;
                }
            }
        }
        if (csv == null) {
            throw new IOException(dir + " holds no iterations CSV: the run did not train");
        }
        List<Map<String, String>> rows = CsvTable.read(FileSystem.getLocal(new Configuration()).getRawFileSystem(),
                new org.apache.hadoop.fs.Path(csv.toUri())).rows();
        String name = dir.getFileName().toString();
        if (row.getProperty("engine", "").equals("in-process")) {
            return new ScalingRun(name, row, rows, Optional.empty());
        }
        // The grouping as plan.txt listed it: "L0-3 L4-7".
        String groups = String.join(",", row.getProperty("grouping", "").replace("L", "").trim().split("\\s+"));
        try {
            BatchNorm.Mode mode = BatchNorm.Mode.valueOf(row.getProperty("bn", "sync").toUpperCase(Locale.ROOT));
            TrainingPlan plan = TrainingPlan.of(networks.of(row.getProperty("model"),
                    Integer.parseInt(row.getProperty("size")), mode), Grouping.parse(groups),
                    Grid.parse(row.getProperty("grid")));
            return new ScalingRun(name, row, rows, Optional.of(plan));
        } catch (RuntimeException e) {
            throw new IOException(dir.resolve("row.properties") + ": cannot rebuild the run's plan (grouping "
                    + row.getProperty("grouping") + ", grid " + row.getProperty("grid") + "): " + e.getMessage(), e);
        }
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

    /** The rows the medians are taken over. */
    List<Map<String, String>> measured() {
        return iterations.subList(PredictionCheck.firstMeasured(iterations.size()), iterations.size());
    }

    /** Median seconds per iteration. */
    double seconds() {
        return inProcess() ? median(column(TrainingCsv.WALL_MS)) / 1000 : median(column("seconds"));
    }

    /**
     * Median seconds per iteration the driver spends in the untiled tail: work no added device shares. Empty for
     * the in-process trainer and for a CSV without the column.
     */
    OptionalDouble tailSeconds() {
        List<Double> tail = inProcess() ? List.of() : column("tail_seconds");
        return tail.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(median(tail));
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

    /** Each device's link bytes per iteration (median), MB; none on one device, whose link carries only status. */
    double[] linkMB() {
        double[] link = new double[inProcess() || devices() == 1 ? 0 : devices()];
        for (int d = 0; d < link.length; d++) {
            link[d] = median(column("device-" + (d + 1) + TrainingCsv.LINK_BYTES)) / 1e6;
        }
        return link;
    }

    /**
     * The cost model's prediction of this run on devices of {@code profile} with the run's link rate, as the job
     * predicts it: {@code batch / subdivisions} images per pass, {@code subdivisions} passes, overlapped if the run
     * overlapped them ({@code overlap=true}). Empty for the in-process trainer, which the model does not describe.
     */
    Optional<Prediction> predict(DeviceProfile profile) {
        String link = get("link");
        if (!link.endsWith("mbit")) {
            throw new IllegalArgumentException(name + ": link '" + link + "' is not a rate like 478mbit");
        }
        DeviceProfile p = profile.withLink(Double.parseDouble(link.substring(0, link.length() - "mbit".length())));
        int passes = Integer.parseInt(get("subdivisions"));
        boolean overlapped = Boolean.parseBoolean(row.getProperty("overlap", "false"));
        return plan.map(t -> new CostModel(p, devices()).predict(t, Integer.parseInt(get("batch")) / passes, passes,
                overlapped));
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
