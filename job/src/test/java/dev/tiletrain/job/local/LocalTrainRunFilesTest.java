package dev.tiletrain.job.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.data.shapes.ShapesWriter;
import dev.tiletrain.job.cluster.LoopbackClusterExtension;
import dev.tiletrain.job.report.CsvTable;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.weights.DarknetWeights;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code tiletrain train} leaves behind: Darknet-named weights, the metrics CSV with mAP, the report. */
class LocalTrainRunFilesTest {
    static final Path CFG = LoopbackClusterExtension.moduleDir().resolve("../conf/tiny-test.cfg").normalize();

    @TempDir
    Path dir;

    @Test
    void checkpointsMetricsValidationAndReport() throws IOException {
        ShapesWriter.write(dir.resolve("data"), 24, 64, 2, 7);
        Path out = dir.resolve("run");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(text, true, StandardCharsets.UTF_8);
        int code = LocalTrainCommand.run(new String[] {"--cfg", CFG.toString(), "--data",
                dir.resolve("data/shapes.data").toString(), "--batch", "2", "--subdivisions", "1", "--iterations", "4",
                "--checkpoint-every", "2", "--validate-every", "3", "--batchnorm-backward", "darknet", "--out",
                out.toString()}, stream, stream);
        String printed = text.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, printed);

        for (String name : List.of("tiny-test_2.weights", "tiny-test_4.weights", "tiny-test_last.weights",
                "tiny-test_final.weights", "report.html", "plan.txt")) {
            assertTrue(Files.isRegularFile(out.resolve(name)), name + " missing; printed:\n" + printed);
        }
        assertArrayEquals(Files.readAllBytes(out.resolve("tiny-test_4.weights")),
                Files.readAllBytes(out.resolve("tiny-test_final.weights")));
        Model model = ModelBuilder.build(CfgParser.parse(CFG), BatchNorm.Mode.SYNC, 0);
        assertEquals(8, DarknetWeights.read(out.resolve("tiny-test_final.weights"), model.sections()).seen());

        Path csv;
        try (Stream<Path> files = Files.list(out)) {
            csv = files.filter(p -> p.getFileName().toString().endsWith("-iterations.csv")).findFirst().orElseThrow();
        }
        List<Map<String, String>> rows = CsvTable.read(FileSystem.getLocal(new Configuration()),
                new org.apache.hadoop.fs.Path(csv.toUri())).rows();
        assertEquals(4, rows.size());
        // Validation after iterations 3 (every 3) and 4 (the last) only.
        assertEquals(List.of(false, false, true, true), rows.stream().map(r -> r.containsKey("map")).toList());
        assertTrue(printed.contains("validation after iteration 3"), printed);
        assertTrue(printed.lines().anyMatch(l -> l.startsWith("iter 4/4 ") && l.contains(" mAP ")), printed);
        assertTrue(printed.contains("(darknet backward)"), printed);
        // The report, rebuilt at the last checkpoint while the CSV was still open, saw every row.
        assertTrue(Files.readString(out.resolve("report.html")).contains("iterations: 4"));
    }
}
