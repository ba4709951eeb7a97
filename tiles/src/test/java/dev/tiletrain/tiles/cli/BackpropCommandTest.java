package dev.tiletrain.tiles.cli;

import dev.tiletrain.tiles.ConfFiles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.npy.Npy;
import dev.tiletrain.ops.npy.NpyArray;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.WeightsHeader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code tiletrain backprop} writes the specified files, and through a tiled plan the same values. */
class BackpropCommandTest {
    private static final String CFG = ConfFiles.of("tiny-test.cfg").toString();
    @TempDir
    static Path dir;

    @BeforeAll
    static void inputs() throws Exception {
        Model m = ModelBuilder.build(CfgParser.parse(Path.of(CFG)), BatchNorm.Mode.SYNC, 3);
        Random r = new Random(4);
        for (Param p : m.network().params()) {
            if (p.role == Param.Role.ROLLING_VARIANCE) {
                for (int i = 0; i < p.size(); i++) {
                    p.value[i] = 0.5f + r.nextFloat();
                }
            }
        }
        DarknetWeights.write(dir.resolve("w.weights"), WeightsHeader.darknet(0), m.sections());
        Shape in = m.network().input(), out = m.network().output();
        Npy.write(dir.resolve("x.npy"), random(new int[] {2, in.c(), in.h(), in.w()}, r));
        Npy.write(dir.resolve("g.npy"), random(new int[] {2, out.c(), out.h(), out.w()}, r));
    }

    private static NpyArray random(int[] shape, Random r) {
        float[] v = new float[shape[0] * shape[1] * shape[2] * shape[3]];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return new NpyArray(shape, v);
    }

    private static int backprop(String out, String... extra) {
        String[] base = {"--cfg", CFG, "--weights", dir.resolve("w.weights").toString(), "--input",
                dir.resolve("x.npy").toString(), "--output-grad", dir.resolve("g.npy").toString(), "--out",
                dir.resolve(out).toString()};
        String[] args = Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
        return BackpropCommand.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
    }

    static Stream<Arguments> tilings() {
        return Stream.of(
                Arguments.of("sync", new String[] {"--tiles", "2x2"}),
                Arguments.of("sync", new String[] {"--tiles", "2x3", "--groups", "0-3,4-9"}),
                Arguments.of("frozen", new String[] {"--tiles", "3x2", "--groups", "0-1,2-4,5-6"}),
                Arguments.of("sync", new String[] {"--tiles", "2x2", "--tiled-layers", "4"}));
    }

    @ParameterizedTest
    @MethodSource("tilings")
    void tiledBackpropWritesTheUntiledValues(String mode, String[] tiling) throws Exception {
        String untiled = "untiled-" + mode, tiled = "tiled-" + mode + "-" + String.join("", tiling);
        assertEquals(0, backprop(untiled, "--batchnorm", mode));
        assertEquals(0, backprop(tiled, Stream.concat(Stream.of("--batchnorm", mode), Stream.of(tiling)).toArray(String[]::new)));
        List<String> files;
        try (Stream<Path> s = Files.list(dir.resolve(untiled))) {
            files = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        // tiny-test: 6 convolutions (weights, biases), 5 of them batch-normalized (scales), output, input_grad.
        assertEquals(6 + 6 + 5 + 2, files.size(), files.toString());
        assertTrue(files.contains("layer0_weights_grad.npy") && files.contains("layer9_biases_grad.npy")
                && !files.contains("layer9_scales_grad.npy"), files.toString());
        for (String f : files) {
            NpyArray a = Npy.read(dir.resolve(untiled).resolve(f)), b = Npy.read(dir.resolve(tiled).resolve(f));
            assertArrayEquals(a.shape(), b.shape(), f);
            double scale = 0, worst = 0;
            for (int i = 0; i < a.data().length; i++) {
                scale = Math.max(scale, Math.abs(a.data()[i]));
                worst = Math.max(worst, Math.abs(a.data()[i] - b.data()[i]));
            }
            assertTrue(worst <= 1e-5 * scale, f + ": max |diff| " + worst + " against scale " + scale);
        }
        assertArrayEquals(new int[] {8, 3, 3, 3}, Npy.read(dir.resolve(untiled).resolve("layer0_weights_grad.npy")).shape());
    }

    @Test
    void badArgumentsExitWithTwo() {
        assertEquals(2, BackpropCommand.run(new String[] {"--cfg"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream())));
        assertEquals(2, backprop("bad", "--tiles", "9x9"));
        assertEquals(2, backprop("bad", "--batchnorm", "maybe"));
        assertEquals(2, backprop("bad", "--groups", "0-3,5-9"));
    }
}
