package dev.tiletrain.job.report;

import dev.tiletrain.job.checkpoint.ReplacedFile;
import dev.tiletrain.job.metrics.TrainingCsv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.jfree.chart.JFreeChart;

/**
 * The run report: {@code report.html} and its PNG charts, beside the checkpoints, built from the metrics CSVs
 * of that directory (every {@code *-iterations.csv} and {@code *-stages.csv}, older files first, so that a
 * resumed run's rows replace the ones it repeats) and {@code plan.txt}. Columns are read by name, and a chart
 * whose columns no file has is left out: loss and its running average, mAP, images/s, halo MB, time per
 * iteration, time per stage kind (the Spark job's stages), peak memory and link bytes per device.
 */
public final class RunReport {
    public static final String PAGE = "report.html";
    public static final String PLAN = "plan.txt";
    private static final String STAGES_SUFFIX = "-stages.csv";

    private RunReport() {}

    /** Writes {@code dir/plan.txt}, the plan table the report shows. */
    public static void writePlan(FileSystem fs, Path dir, String plan) throws IOException {
        ReplacedFile.write(fs, new Path(dir, PLAN), out -> out.write(plan.getBytes(StandardCharsets.UTF_8)));
    }

    /** Rebuilds the report of {@code dir} from its files; returns the page. */
    public static Path write(FileSystem fs, Path dir) throws IOException {
        // The CSVs are written without checksum files (see FlushedFile): read the local ones without them too.
        FileSystem csvs = fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
        TreeMap<Long, Map<String, String>> iterations = new TreeMap<>();
        Map<Long, List<Map<String, String>>> stages = new TreeMap<>();
        for (FileStatus f : oldestFirst(fs, dir)) {
            String name = f.getPath().getName();
            if (name.endsWith(TrainingCsv.ITERATIONS_SUFFIX)) {
                for (Map<String, String> row : CsvTable.read(csvs, f.getPath()).rows()) {
                    iteration(row).ifPresent(it -> iterations.put(it, row));
                }
            } else if (name.endsWith(STAGES_SUFFIX)) {
                Map<Long, List<Map<String, String>>> file = new TreeMap<>();
                for (Map<String, String> row : CsvTable.read(csvs, f.getPath()).rows()) {
                    iteration(row).ifPresent(it -> file.computeIfAbsent(it, k -> new ArrayList<>()).add(row));
                }
                stages.putAll(file);
            }
        }
        Map<String, JFreeChart> charts = new LinkedHashMap<>();
        Charts.Style lines = Charts.Style.LINES;
        add(charts, "loss.png", Charts.lines("Loss", "loss per image", iterations, List.of(
                new Charts.Series("loss", TrainingCsv.LOSS),
                new Charts.Series("running average", TrainingCsv.AVERAGE_LOSS)), lines));
        add(charts, "map.png", Charts.lines("mAP@0.5 on the validation list", "mAP", iterations,
                List.of(new Charts.Series("mAP", TrainingCsv.MAP)), Charts.Style.SCORES));
        add(charts, "images-per-second.png", Charts.lines("Images per second", "images/s", iterations,
                List.of(new Charts.Series("images/s", TrainingCsv.IMAGES_PER_SECOND)), lines));
        add(charts, "halo.png", Charts.lines("Halo exchanged per iteration", "MB", iterations,
                List.of(new Charts.Series("halo", TrainingCsv.HALO_MB)), lines));
        add(charts, "wall.png", Charts.lines("Wall time per iteration", "ms", iterations,
                List.of(new Charts.Series("wall", TrainingCsv.WALL_MS)), lines));
        add(charts, "stage-kinds.png", Charts.stageKinds(stages));
        add(charts, "memory.png", Charts.lines("Peak memory per device", "MB", iterations,
                devices(iterations, TrainingCsv.PEAK_MB), lines));
        add(charts, "link-bytes.png", Charts.lines("Bytes over each device's link", "bytes", iterations,
                devices(iterations, TrainingCsv.LINK_BYTES), lines));
        for (Map.Entry<String, JFreeChart> c : charts.entrySet()) {
            ReplacedFile.write(fs, new Path(dir, c.getKey()), out -> Charts.png(c.getValue(), out));
        }
        Path plan = new Path(dir, PLAN);
        String planText = fs.exists(plan) ? new String(readAll(fs, plan), StandardCharsets.UTF_8) : null;
        Path page = new Path(dir, PAGE);
        String html = Page.html(dir.toString(), Instant.now(), summary(iterations), planText, charts.keySet(),
                maps(iterations));
        ReplacedFile.write(fs, page, out -> out.write(html.getBytes(StandardCharsets.UTF_8)));
        return page;
    }

    private static void add(Map<String, JFreeChart> charts, String file, Optional<JFreeChart> chart) {
        chart.ifPresent(c -> charts.put(file, c));
    }

    /** The run at a glance: iterations, last loss and average, latest and best mAP, time trained. */
    private static List<String> summary(TreeMap<Long, Map<String, String>> iterations) {
        List<String> lines = new ArrayList<>();
        if (iterations.isEmpty()) {
            lines.add("no iterations recorded yet");
            return lines;
        }
        long last = iterations.lastKey();
        Map<String, String> row = iterations.get(last);
        lines.add("iterations: " + last);
        CsvTable.number(row, TrainingCsv.LOSS).ifPresent(v -> lines.add(String.format(Locale.ROOT, "last loss: %.3f", v)));
        CsvTable.number(row, TrainingCsv.AVERAGE_LOSS)
                .ifPresent(v -> lines.add(String.format(Locale.ROOT, "running average: %.3f", v)));
        TreeMap<Long, Double> maps = maps(iterations);
        if (!maps.isEmpty()) {
            long at = maps.lastKey();
            lines.add(String.format(Locale.ROOT, "latest mAP@0.5: %.4f (iteration %d)", maps.get(at), at));
            Map.Entry<Long, Double> best = maps.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
            lines.add(String.format(Locale.ROOT, "best mAP@0.5: %.4f (iteration %d)", best.getValue(), best.getKey()));
        }
        double ms = iterations.values().stream().map(r -> CsvTable.number(r, TrainingCsv.WALL_MS))
                .filter(OptionalDouble::isPresent).mapToDouble(OptionalDouble::getAsDouble).sum();
        lines.add(String.format(Locale.ROOT, "training time (sum of iteration wall times): %.1f min", ms / 60000));
        return lines;
    }

    private static TreeMap<Long, Double> maps(Map<Long, Map<String, String>> iterations) {
        TreeMap<Long, Double> maps = new TreeMap<>();
        iterations.forEach((it, row) -> CsvTable.number(row, TrainingCsv.MAP).ifPresent(v -> maps.put(it, v)));
        return maps;
    }

    /** Series per device: every column named {@code device + suffix}. */
    private static List<Charts.Series> devices(Map<Long, Map<String, String>> iterations, String suffix) {
        TreeSet<String> columns = new TreeSet<>();
        iterations.values().forEach(r -> r.keySet().stream().filter(k -> k.endsWith(suffix)).forEach(columns::add));
        return columns.stream().map(c -> new Charts.Series(c.substring(0, c.length() - suffix.length()), c)).toList();
    }

    private static Optional<Long> iteration(Map<String, String> row) {
        OptionalDouble it = CsvTable.number(row, TrainingCsv.ITERATION);
        return it.isPresent() ? Optional.of((long) it.getAsDouble()) : Optional.empty();
    }

    private static List<FileStatus> oldestFirst(FileSystem fs, Path dir) throws IOException {
        List<FileStatus> files = new ArrayList<>(Arrays.asList(fs.listStatus(dir)));
        files.sort(Comparator.comparingLong(FileStatus::getModificationTime).thenComparing(f -> f.getPath().getName()));
        return files;
    }

    private static byte[] readAll(FileSystem fs, Path file) throws IOException {
        try (var in = fs.open(file)) {
            return in.readAllBytes();
        }
    }
}
