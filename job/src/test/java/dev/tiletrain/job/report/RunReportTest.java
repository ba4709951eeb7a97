package dev.tiletrain.job.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.job.metrics.IterationTimes;
import dev.tiletrain.job.metrics.MetricsCsv;
import dev.tiletrain.job.metrics.StageTimes;
import dev.tiletrain.job.metrics.TrainingCsv;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report from the files the trainers really write: every chart the page names exists and is a PNG. */
class RunReportTest {
    private static final Pattern IMG = Pattern.compile("<img src=\"([^\"]+)\"");

    @TempDir
    Path dir;

    FileSystem fs() throws IOException {
        return FileSystem.getLocal(new Configuration());
    }

    org.apache.hadoop.fs.Path hdir() {
        return new org.apache.hadoop.fs.Path(dir.toUri());
    }

    @Test
    void inProcessRun() throws IOException {
        try (TrainingCsv csv = TrainingCsv.create(fs(), hdir(), "local-1")) {
            for (int it = 1; it <= 20; it++) {
                csv.write(new TrainingCsv.Row(it, 30. / it, 30. / Math.sqrt(it), .001, 8.5, 0, it % 5 == 0
                        ? OptionalDouble.of(it / 25.) : OptionalDouble.empty(), 900 + it, 800));
            }
        }
        RunReport.writePlan(fs(), hdir(), "untiled <whole map>\n");
        String page = Files.readString(Path.of(RunReport.write(fs(), hdir()).toUri()));
        List<String> charts = assertChartsDecode(page);
        assertEquals(List.of("loss.png", "map.png", "images-per-second.png", "halo.png", "wall.png", "memory.png"),
                charts);
        assertTrue(page.contains("untiled &lt;whole map&gt;"), page);
        assertTrue(page.contains("latest mAP@0.5: 0.8000 (iteration 20)"), page);
        assertTrue(page.contains("<tr><td>15</td><td>0.6000</td></tr>"), page);
    }

    /**
     * The Spark job's files as they are today (times only, no loss yet) plus a resumed run's: no loss chart,
     * the stage kinds, and the resumed file's rows replacing the first's.
     */
    @Test
    void sparkRunWithOnlySomeColumns() throws IOException {
        writeSparkRun("app-1", 1, 6);
        writeSparkRun("app-2", 4, 8);
        String page = Files.readString(Path.of(RunReport.write(fs(), hdir()).toUri()));
        assertEquals(List.of("wall.png", "stage-kinds.png"), assertChartsDecode(page));
        assertTrue(page.contains("iterations: 8"), page);
        assertFalse(page.contains("mAP@0.5:"), page);
    }

    /**
     * A Spark iterations file with the driver's columns and two devices' (as the job's metrics grow to): the
     * loss, images/s, halo, memory and link charts appear, read by column name.
     */
    @Test
    void sparkRunWithDriverAndDeviceColumns() throws IOException {
        StringBuilder csv = new StringBuilder("iteration,jobs,wall_ms,seconds,loss,avg_loss,learning_rate,images_per_s,"
                + "halo_mb,map,pi0_link_bytes,pi0_peak_mb,pi1_link_bytes,pi1_peak_mb\n");
        for (int it = 1; it <= 5; it++) {
            csv.append(it).append(",2,5000,5.1,").append(20 - it).append(",19,0.001,1.6,0.5,")
                    .append(it == 5 ? "0.25" : "").append(",1000,180.5,1200,170\n");
        }
        Files.writeString(dir.resolve("app-3-iterations.csv"), csv);
        String page = Files.readString(Path.of(RunReport.write(fs(), hdir()).toUri()));
        assertEquals(List.of("loss.png", "map.png", "images-per-second.png", "halo.png", "wall.png", "memory.png",
                "link-bytes.png"), assertChartsDecode(page));
        assertTrue(page.contains("latest mAP@0.5: 0.2500 (iteration 5)"), page);
    }

    /** Each row can be read as soon as it is written (tail -f), before the file is closed. */
    @Test
    void rowsAreReadableBeforeClose() throws IOException {
        try (TrainingCsv csv = TrainingCsv.create(fs(), hdir(), "local-2")) {
            csv.write(new TrainingCsv.Row(1, 3, 3, .001, 8, 0, OptionalDouble.empty(), 900, 800));
            assertEquals(2, Files.readAllLines(dir.resolve("local-2-iterations.csv")).size());
            csv.write(new TrainingCsv.Row(2, 2, 2.9, .001, 8, 0, OptionalDouble.of(.5), 900, 800));
            assertEquals(3, Files.readAllLines(dir.resolve("local-2-iterations.csv")).size());
        }
    }

    @Test
    void emptyDirectory() throws IOException {
        String page = Files.readString(Path.of(RunReport.write(fs(), hdir()).toUri()));
        assertEquals(List.of(), assertChartsDecode(page));
        assertTrue(page.contains("no iterations recorded yet"));
    }

    @Test
    void stageKinds() {
        assertEquals("fwd", Charts.kind("fwd g1 L5-9 2x2"));
        assertEquals("sync bwd", Charts.kind("sync bwd g0 L0-3 2x2"));
        assertEquals("tail", Charts.kind("tail L10-15"));
        assertEquals("grad reduce", Charts.kind("grad reduce"));
    }

    private void writeSparkRun(String app, int from, int to) throws IOException {
        try (MetricsCsv csv = MetricsCsv.create(fs(), hdir(), app)) {
            for (int it = from; it <= to; it++) {
                List<StageTimes> stages = new ArrayList<>();
                stages.add(new StageTimes(3 * it, 0, "fwd g0 L0-3 2x2", false, 4, 0, 900, 3000, 800, 2900, 40, 10, 1,
                        5, 1000, 0, 0, 0));
                stages.add(new StageTimes(3 * it + 1, 0, "sync bwd g0 L0-3 2x2", false, 4, 0, 700, 2000, 600, 1900, 30,
                        10, 1, 5, 0, 1000, 750, 0));
                stages.add(new StageTimes(3 * it + 2, 0, "sync bwd g0 L0 2x2, grad reduce", false, 1, 0, 1500, 1400,
                        1400, 1400, 5, 2, 1, 0, 0, 0, 0, 4096));
                csv.accept(new IterationTimes(it, 2, 3500, 3100, 8192, stages));
            }
        }
    }

    /** The charts the page names, each checked to exist and decode as an image. */
    private List<String> assertChartsDecode(String page) throws IOException {
        List<String> names = new ArrayList<>();
        Matcher m = IMG.matcher(page);
        while (m.find()) {
            names.add(m.group(1));
            Path png = dir.resolve(m.group(1));
            assertTrue(Files.isRegularFile(png), png + " is missing");
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, png + " does not decode");
            assertEquals(Charts.WIDTH, image.getWidth());
        }
        return names;
    }
}
