package dev.tiletrain.job.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.data.shapes.ShapesWriter;
import dev.tiletrain.job.cluster.LoopbackClusterExtension;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.WeightsHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tiletrain calibrate-bn} gives weights that frozen batch norm trains from (where Darknet's random init
 * gives a loss that is not a number: {@code LocalTrainCommandTest}), changing nothing but the rolling statistics.
 */
class CalibrateBnCommandTest {
    private static final Path CFG = LoopbackClusterExtension.moduleDir().resolve("../conf/tiny-test.cfg").normalize();
    private static final long SEEN = 4_242;

    @TempDir
    Path dir;

    /** The exit code and everything printed. */
    private record Run(int code, String text) {}

    private static Run run(BiFunction<PrintStream, PrintStream, Integer> command) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);
        return new Run(command.apply(out, out), text.toString(StandardCharsets.UTF_8));
    }

    @Test
    void frozenBatchNormTrainsFromCalibratedWeightsThatKeepEverythingElse() throws IOException {
        ShapesWriter.write(dir.resolve("data"), 8, 64, 2, 7);
        String data = dir.resolve("data").resolve(ShapesWriter.DATA_FILE).toString();
        Model start = ModelBuilder.build(CfgParser.parse(CFG), BatchNorm.Mode.SYNC, 3);
        Path startFile = dir.resolve("start.weights"), calibrated = dir.resolve("calibrated.weights");
        DarknetWeights.write(startFile, WeightsHeader.darknet(SEEN), start.sections());

        Run calibration = run((out, err) -> CalibrateBnCommand.run(new String[] {"--cfg", CFG.toString(), "--data", data,
                "--weights", startFile.toString(), "--images", "5", "--batch", "2", "--out", calibrated.toString()},
                out, err));
        assertEquals(0, calibration.code(), calibration.text());
        assertTrue(calibration.text().contains("on 6 image(s) of 7, 2 per forward"), calibration.text());

        Model read = ModelBuilder.build(CfgParser.parse(CFG), BatchNorm.Mode.SYNC, 0);
        assertEquals(SEEN, DarknetWeights.read(calibrated, read.sections()).seen());
        List<Param> before = start.network().params(), after = read.network().params();
        int rolling = 0;
        for (int i = 0; i < before.size(); i++) {
            Param p = after.get(i);
            if (p.role == Param.Role.ROLLING_VARIANCE || p.role == Param.Role.ROLLING_MEAN) {
                rolling++;
                for (float v : p.value) {
                    assertTrue(p.role == Param.Role.ROLLING_MEAN ? Float.isFinite(v) : v > 0, p + " holds " + v);
                }
            } else {
                assertArrayEquals(before.get(i).value, p.value, "changed " + p);
            }
        }
        assertEquals(2 * start.network().batchNorms().size(), rolling);

        Run frozen = run((out, err) -> LocalTrainCommand.run(new String[] {"--cfg", CFG.toString(), "--data", data,
                "--weights", calibrated.toString(), "--batchnorm", "frozen", "--batch", "2", "--subdivisions", "1",
                "--iterations", "2", "--out", dir.resolve("frozen").toString()}, out, err));
        assertEquals(0, frozen.code(), frozen.text());
        assertTrue(frozen.text().contains("batchnorm frozen"), frozen.text());
    }

    @Test
    void aMissingOptionIsNamed() {
        Run r = run((out, err) -> CalibrateBnCommand.run(new String[] {"--cfg", CFG.toString()}, out, err));
        assertEquals(2, r.code(), r.text());
        assertTrue(r.text().startsWith("calibrate-bn: "), r.text());
        assertTrue(r.text().contains("--data"), r.text());
    }
}
