package dev.tiletrain.job.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.data.shapes.ShapesWriter;
import dev.tiletrain.job.cluster.LoopbackClusterExtension;
import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.cfg.NetConfig;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.WeightsHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tiletrain train} from a Darknet weights file goes on from its images seen, as Darknet does, or from 0
 * with {@code --clear}; a bad input file ends it with one line and exit code 2.
 */
class LocalTrainCommandTest {
    private static final Path CFG = LoopbackClusterExtension.moduleDir().resolve("../conf/tiny-test.cfg").normalize();
    private static final long SEEN = 123_456;
    private static final int BATCH = 2;

    @TempDir
    static Path dir;
    private static Path data;
    private static Path weights;

    @BeforeAll
    static void dataAndWeights() throws IOException {
        ShapesWriter.write(dir.resolve("data"), 8, 64, 2, 7);
        data = dir.resolve("data").resolve(ShapesWriter.DATA_FILE);
        weights = dir.resolve("start.weights");
        Model m = ModelBuilder.build(CfgParser.parse(CFG), BatchNorm.Mode.SYNC, 3);
        DarknetWeights.write(weights, WeightsHeader.darknet(SEEN), m.sections());
    }

    /** The exit code and everything printed. */
    private record Run(int code, String text) {}

    private static Run train(String... extra) {
        List<String> args = new ArrayList<>(List.of("--batch", Integer.toString(BATCH), "--subdivisions", "1",
                "--iterations", "2", "--seed", "7"));
        args.addAll(Arrays.asList(extra));
        if (!args.contains("--cfg")) {
            args.addAll(List.of("--cfg", CFG.toString()));
        }
        if (!args.contains("--data")) {
            args.addAll(List.of("--data", data.toString()));
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);
        return new Run(LocalTrainCommand.run(args.toArray(String[]::new), out, out), text.toString(StandardCharsets.UTF_8));
    }

    private static float[] read(Path file, WeightsHeader[] header) throws IOException {
        Model m = ModelBuilder.build(CfgParser.parse(CFG), BatchNorm.Mode.SYNC, 0);
        header[0] = DarknetWeights.read(file, m.sections());
        return m.layout().flatten();
    }

    @Test
    void trainingGoesOnFromTheImagesSeenOfTheWeightsFileAsDarknetDoes() throws IOException {
        Path out = dir.resolve("kept");
        Run run = train("--weights", weights.toString(), "--out", out.toString());
        assertEquals(0, run.code(), run.text());
        assertTrue(run.text().contains("123456 images seen, so at batch number 61728"), run.text());
        WeightsHeader[] header = new WeightsHeader[1];
        float[] kept = read(out.resolve("tiny-test_final.weights"), header);
        assertEquals(SEEN + 2 * BATCH, header[0].seen());

        // tiny-test.cfg's policy=steps (100 and 200: ×.1 each) is at base × .01 at batch numbers 61729 and 61730,
        // a 100th of its rate at 1 and 2. The same cfg with that rate as a constant must train to the same bits
        // (from the same count, so [region]'s warm-up agrees too): the steps run used batch numbers 61729, 61730.
        Cfg steps = CfgParser.parse(CFG);
        float late = NetConfig.of(steps).learningRate().at(61_729);
        assertEquals(late, NetConfig.of(steps).learningRate().at(61_730));
        assertNotEquals(late, NetConfig.of(steps).learningRate().at(1));
        String text = Files.readString(CFG).replace("policy=steps", "policy=constant")
                .replace("learning_rate=0.001", "learning_rate=" + late);
        Path constant = dir.resolve("constant.cfg");
        Files.writeString(constant, text);
        assertEquals(late, NetConfig.of(CfgParser.parse(constant)).learningRate().at(1));
        Path outConstant = dir.resolve("constant");
        Run same = train("--cfg", constant.toString(), "--weights", weights.toString(), "--out", outConstant.toString());
        assertEquals(0, same.code(), same.text());
        assertArrayEquals(kept, read(outConstant.resolve("constant_final.weights"), header));
    }

    @Test
    void clearStartsTheCountFromZeroAsDarknetsClear() throws IOException {
        Path out = dir.resolve("cleared");
        Run run = train("--weights", weights.toString(), "--clear", "--out", out.toString());
        assertEquals(0, run.code(), run.text());
        assertTrue(run.text().contains("123456 images seen cleared to 0 (--clear), so at batch number 0"), run.text());
        WeightsHeader[] header = new WeightsHeader[1];
        read(out.resolve("tiny-test_final.weights"), header);
        assertEquals(2 * BATCH, header[0].seen());
        Run noWeights = train("--clear", "--out", out.toString());
        assertEquals(2, noWeights.code());
        assertTrue(noWeights.text().startsWith("train: --clear needs --weights"), noWeights.text());
    }

    /**
     * Frozen batch norm from Darknet's random init divides by a rolling variance of 0: the loss is not a number,
     * and training stops before its update with one line instead of training NaN into every weight.
     */
    @Test
    void aLossThatIsNotANumberStopsBeforeItsUpdate() {
        Run run = train("--batchnorm", "frozen", "--out", dir.resolve("nan").toString());
        assertEquals(1, run.code(), run.text());
        String last = run.text().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("train: stopped: the loss of iteration 1 is NaN, so it updated nothing"), run.text());
        assertFalse(run.text().contains("\tat "), run.text());
    }

    @Test
    void badInputFilesEndWithOneLineNamingTheFile() throws IOException {
        byte[] bytes = Files.readAllBytes(weights);
        Path cut = dir.resolve("cut.weights");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
        Path noLoss = dir.resolve("noloss.cfg");
        String cfg = Files.readString(CFG);
        Files.writeString(noLoss, cfg.substring(0, cfg.indexOf("[region]")));
        Path typo = dir.resolve("typo.cfg");
        Files.writeString(typo, cfg.replaceFirst("stride=1", "strde=1"));
        List<String[]> cases = List.of(
                new String[] {"--weights", cut.toString()},
                new String[] {"--weights", dir.toString()},
                new String[] {"--weights", dir.resolve("none.weights").toString()},
                new String[] {"--cfg", noLoss.toString()},
                new String[] {"--cfg", typo.toString()},
                new String[] {"--cfg", dir.toString()},
                new String[] {"--data", dir.toString()});
        List<String> expected = List.of(
                cut + ": 25556 floats after the header, the network's 11 sections need 25581: the file ends in layer ",
                dir + ": is a directory, expected a file",
                dir.resolve("none.weights") + ": no such file",
                "noloss.cfg:",
                "typo.cfg:",
                dir + ": is a directory, expected a file",
                "is a directory, expected a file");
        for (int i = 0; i < cases.size(); i++) {
            Run run = train(cases.get(i));
            String line = run.text().strip();
            assertEquals(2, run.code(), run.text());
            assertTrue(line.startsWith("train: "), line);
            assertTrue(line.contains(expected.get(i)), line);
            assertFalse(line.contains("Exception") || line.contains("\tat "), line);
        }
    }
}
