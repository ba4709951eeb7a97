package dev.tiletrain.job.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's charts, drawn by JFreeChart: values per iteration as lines, written as PNG. */
final class Charts {
    static final int WIDTH = 900;
    static final int HEIGHT = 360;
    /** The parts of a stage name that say where it runs, not what it does: group, layers, grid. */
    private static final Pattern WHERE = Pattern.compile("\\b(g\\d+|L\\d+(-\\d+)?|\\d+x\\d+)\\b");

    /** One line: its legend and the CSV column it plots. */
    record Series(String name, String column) {}

    /** How values look: a line per series, or scores in [0, 1] taken now and then (a marker at each). */
    enum Style { LINES, SCORES }

    private Charts() {}

    /** A chart of {@code series} over the iterations, or empty when none of them has a value. */
    static Optional<JFreeChart> lines(String title, String unit, Map<Long, Map<String, String>> rows,
            List<Series> series, Style style) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            rows.forEach((it, row) -> {
                OptionalDouble v = CsvTable.number(row, s.column());
                if (v.isPresent() && Double.isFinite(v.getAsDouble())) {
                    xy.add(it.doubleValue(), v.getAsDouble());
                }
            });
            if (xy.getItemCount() > 0) {
                data.addSeries(xy);
            }
        }
        return data.getSeriesCount() == 0 ? Optional.empty() : Optional.of(chart(title, unit, data, style));
    }

    /**
     * The Spark job's stage times summed per iteration and kind: a stage's name without its group, layers and
     * grid ({@code fwd g1 L5-9 2x2} is a {@code fwd}, {@code sync bwd g0 L0-3 2x2} a {@code sync bwd}).
     */
    static Optional<JFreeChart> stageKinds(Map<Long, List<Map<String, String>>> stages) {
        Map<String, XYSeries> kinds = new TreeMap<>();
        stages.forEach((it, rows) -> {
            Map<String, Double> sums = new TreeMap<>();
            for (Map<String, String> row : rows) {
                OptionalDouble ms = CsvTable.number(row, "wall_ms");
                if (ms.isPresent()) {
                    sums.merge(kind(row.getOrDefault("name", "")), ms.getAsDouble(), Double::sum);
                }
            }
            sums.forEach((kind, ms) -> kinds.computeIfAbsent(kind, k -> new XYSeries(k, false, true))
                    .add(it.doubleValue(), ms));
        });
        if (kinds.isEmpty()) {
            return Optional.empty();
        }
        XYSeriesCollection data = new XYSeriesCollection();
        kinds.values().forEach(data::addSeries);
        return Optional.of(chart("Stage wall time per iteration, by kind", "ms", data, Style.LINES));
    }

    static String kind(String stageName) {
        String k = WHERE.matcher(stageName).replaceAll("").trim().replaceAll("\\s+", " ");
        return k.isEmpty() ? "(unnamed)" : k;
    }

    static void png(JFreeChart chart, OutputStream out) throws IOException {
        ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
    }

    private static JFreeChart chart(String title, String unit, XYSeriesCollection data, Style style) {
        JFreeChart chart = ChartFactory.createXYLineChart(title, "iteration", unit, data, PlotOrientation.VERTICAL,
                data.getSeriesCount() > 1, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (style == Style.SCORES) {
            plot.getRangeAxis().setRange(0, 1);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, style == Style.SCORES);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(1.5f));
        }
        plot.setRenderer(renderer);
        // Later series on top: a running average stays visible over the noisy series it smooths.
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
        return chart;
    }
}
