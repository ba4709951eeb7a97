package dev.tiletrain.job.scaling;

import dev.tiletrain.tiles.DeviceProfile;
import dev.tiletrain.tiles.Prediction;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The scaling table of {@code submit/scaling}: one row per run — iteration time, speed-up over the same
 * configuration on one device, the untiled tail's time and the speed-up Amdahl's law allows with it, per-device
 * peak memory and its cut, bytes over each link, Spark's share, and the cost model's prediction of each with its
 * error — as Markdown and CSV, and the speed-up and memory per device against the number of devices, measured
 * beside predicted, as a PNG chart per configuration.
 */
public final class ScalingTable {
    private final List<ScalingRun> runs;
    private final DeviceProfile profile;

    private ScalingTable(List<ScalingRun> runs, DeviceProfile profile) {
        this.runs = runs;
        this.profile = profile;
    }

    /**
     * The runs under {@code dir}, one per subdirectory, their cfgs in {@code cfgDir}, predicted for devices of
     * {@code profile} (each with its run's link rate).
     */
    public static ScalingTable read(Path dir, Path cfgDir, DeviceProfile profile) throws IOException {
        List<ScalingRun> runs = new ArrayList<>();
        RunNetworks networks = new RunNetworks(cfgDir);
        try (Stream<Path> dirs = Files.list(dir)) {
            for (Path d : dirs.filter(p -> Files.isRegularFile(p.resolve("row.properties"))).sorted().toList()) {
                runs.add(ScalingRun.read(d, networks));
            }
        }
        if (runs.isEmpty()) {
            throw new IOException("no runs under " + dir + " (a run is a directory with row.properties)");
        }
        return new ScalingTable(runs, profile);
    }

    List<ScalingRun> runs() {
        return runs;
    }

    /** Writes {@code scaling.md}, {@code scaling.csv} and a chart per configuration into {@code out}. */
    public List<Path> write(Path out) throws IOException {
        Files.createDirectories(out);
        List<Path> written = new ArrayList<>();
        StringBuilder md = new StringBuilder("| model | batch (passes) | link | BN | grouping | devices | engine | "
                + "s/iteration | speed-up | tail s | Amdahl's bound (reached) | peak MiB: device 1 / others | memory cut | "
                + "link MB/iteration (max) | Spark's share | predicted s (error) | predicted link MB (error) |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder csv = new StringBuilder("model,size,batch,subdivisions,link,bn,grouping,devices,engine,seconds,"
                + "speedup,tail_seconds,amdahl_bound,peak_mib_device1,peak_mib_others,memory_cut,link_mb_max,spark_share,predicted_seconds,"
                + "predicted_link_mb\n");
        Map<String, List<ScalingRun>> groups = new LinkedHashMap<>();
        for (ScalingRun r : runs) {
            groups.computeIfAbsent(configuration(r), k -> new ArrayList<>()).add(r);
        }
        int chart = 0;
        for (Map.Entry<String, List<ScalingRun>> g : groups.entrySet()) {
            List<ScalingRun> rows = new ArrayList<>(g.getValue());
            rows.sort(Comparator.comparing((ScalingRun r) -> !r.inProcess()).thenComparingInt(ScalingRun::devices));
            ScalingRun base = rows.stream().filter(r -> r.get("engine").equals("spark") && r.devices() == 1).findFirst()
                    .orElse(null);
            for (ScalingRun r : rows) {
                double s = r.seconds();
                double speedup = base == null ? Double.NaN : base.seconds() / s;
                OptionalDouble tail = r.tailSeconds();
                double bound = base == null ? Double.NaN : amdahlBound(base, r.devices());
                double[] peaks = r.peakMiB();
                double others = 0;
                for (int d = 1; d < peaks.length; d++) {
                    others = Math.max(others, peaks[d]);
                }
                double cut = base == null ? Double.NaN : max(base.peakMiB()) / max(peaks);
                double link = max(r.linkMB());
                OptionalDouble share = r.sparkShare();
                Optional<Prediction> p = r.predict(profile);
                OptionalDouble ps = p.map(x -> OptionalDouble.of(x.iterationSeconds())).orElse(OptionalDouble.empty());
                OptionalDouble pl = p.map(x -> OptionalDouble.of(Arrays.stream(x.linkBytes()).max().orElse(0)))
                        .orElse(OptionalDouble.empty());
                md.append(String.format(Locale.ROOT, "| %s %d² | %d (%d) | %s | %s | %s | %d | %s | %.2f | %s | %s | %s | "
                        + "%.0f / %s | %s | %s | %s | %s | %s |%n", r.get("model"), Integer.parseInt(r.get("size")),
                        Integer.parseInt(r.get("batch")), Integer.parseInt(r.get("subdivisions")), r.get("link"),
                        r.get("bn"), r.get("grouping"), r.devices(), r.get("engine"), s, ratio(speedup),
                        tail.isPresent() ? String.format(Locale.ROOT, "%.2f", tail.getAsDouble()) : "-",
                        r.inProcess() || Double.isNaN(bound) ? "-" : String.format(Locale.ROOT, "%s (%.0f%%)", ratio(bound),
                                100 * speedup / bound), peaks[0],
                        peaks.length > 1 ? String.format(Locale.ROOT, "%.0f", others) : "-", ratio(cut),
                        link > 0 ? String.format(Locale.ROOT, "%.1f", link) : "-",
                        share.isPresent() ? String.format(Locale.ROOT, "%.0f%%", 100 * share.getAsDouble()) : "-",
                        withError(ps, s), withError(pl.isPresent() ? OptionalDouble.of(pl.getAsDouble() / 1e6)
                                : OptionalDouble.empty(), link)));
                csv.append(String.join(",", r.get("model"), r.get("size"), r.get("batch"), r.get("subdivisions"),
                        r.get("link"), r.get("bn"), r.get("grouping"), Integer.toString(r.devices()), r.get("engine"),
                        number(s), number(speedup), tail.isPresent() ? number(tail.getAsDouble()) : "",
                        r.inProcess() ? "" : number(bound), number(peaks[0]), number(others), number(cut), number(link),
                        share.isPresent() ? number(share.getAsDouble()) : "",
                        ps.isPresent() ? number(ps.getAsDouble()) : "",
                        pl.isPresent() ? number(pl.getAsDouble() / 1e6) : "")).append('\n');
            }
            if (base != null && rows.stream().filter(r -> !r.inProcess()).count() > 1) {
                Path png = out.resolve("scaling-" + (++chart) + ".png");
                writeChart(g.getKey(), rows, base, png);
                written.add(png);
            }
        }
        Path mdFile = out.resolve("scaling.md"), csvFile = out.resolve("scaling.csv");
        Files.writeString(mdFile, md);
        Files.writeString(csvFile, csv);
        written.add(0, csvFile);
        written.add(0, mdFile);
        return written;
    }

    /**
     * The speed-up Amdahl's law allows on {@code devices} devices when the part of the one-device run that
     * stays on one device is its untiled tail: 1 / (f + (1 − f) / devices), f the tail's share of {@code base}'s
     * iteration. Everything else counts as divisible, Spark's own costs too, so the bound is generous. NaN when
     * the base has no tail time.
     */
    private static double amdahlBound(ScalingRun base, int devices) {
        OptionalDouble tail = base.tailSeconds();
        if (tail.isEmpty()) {
            return Double.NaN;
        }
        double f = Math.min(1, tail.getAsDouble() / base.seconds());
        return 1 / (f + (1 - f) / devices);
    }

    /**
     * What makes runs comparable: everything but the number of devices, the engine and the grouping that
     * resulted (with {@code groups=auto} the planner chooses the tiled layers and groups for each number of
     * devices).
     */
    private static String configuration(ScalingRun r) {
        return r.get("model") + " " + r.get("size") + "² batch " + r.get("batch") + ", " + r.get("link") + ", "
                + r.get("bn") + " BN, groups " + r.get("groups");
    }

    private void writeChart(String title, List<ScalingRun> rows, ScalingRun base, Path png) throws IOException {
        XYSeries measured = new XYSeries("speed-up, measured"), predicted = new XYSeries("speed-up, predicted");
        XYSeries memory = new XYSeries("peak memory per device / 1 device's, measured");
        Optional<Prediction> basePredicted = base.predict(profile);
        for (ScalingRun r : rows) {
            if (!r.get("engine").equals("spark")) { // One point per device count: secured Spark runs.
                continue;
            }
            measured.add(r.devices(), base.seconds() / r.seconds());
            Optional<Prediction> p = r.predict(profile);
            if (p.isPresent() && basePredicted.isPresent()) {
                predicted.add(r.devices(), basePredicted.get().iterationSeconds() / p.get().iterationSeconds());
            }
            memory.add(r.devices(), max(r.peakMiB()) / max(base.peakMiB()));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(measured);
        data.addSeries(predicted);
        data.addSeries(memory);
        JFreeChart chart = ChartFactory.createXYLineChart(title, "devices", "× one device", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(java.awt.Color.WHITE);
        plot.setDomainGridlinePaint(java.awt.Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(java.awt.Color.LIGHT_GRAY);
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        try (OutputStream o = Files.newOutputStream(png)) {
            ChartUtils.writeChartAsPNG(o, chart, 900, 420);
        }
    }

    private static String withError(OptionalDouble predicted, double measured) {
        if (predicted.isEmpty() || !(measured > 0)) {
            return "-";
        }
        double p = predicted.getAsDouble();
        return String.format(Locale.ROOT, "%.2f (%+.0f%%)", p, 100 * (p - measured) / measured);
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2f×", r);
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4g", v);
    }

    private static double max(double[] values) {
        double m = 0;
        for (double v : values) {
            m = Math.max(m, v);
        }
        return m;
    }
}
