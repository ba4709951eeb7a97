package dev.tiletrain.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.job.cluster.LoopbackClusterExtension;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.npy.Npy;
import dev.tiletrain.ops.npy.NpyArray;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.WeightsHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training jar on its own, as {@code submit/arm-check} runs it on a device with nothing but Java: {@code java -cp
 * tiletrain-job.jar dev.tiletrain.job.cli.Tiletrain backprop …} (no Spark, no Hadoop on the class path) computes
 * the gradients the build's own classes compute, to the bit.
 */
class TrainingJarIT {
    private static final int BATCH = 2;

    @Test
    void backpropRunsFromTheJarAloneAndComputesTheBuildsGradients(@TempDir Path temp) throws Exception {
        Path cfg = LoopbackClusterExtension.moduleDir().resolve("../conf/tiny-test.cfg").normalize();
        Model model = ModelBuilder.build(CfgParser.parse(cfg), BatchNorm.Mode.SYNC, 7);
        Path weights = temp.resolve("tiny-test.weights");
        DarknetWeights.write(weights, new WeightsHeader(0, 2, 0, 0), model.sections());
        Network net = model.network();
        List<Layer> head = net.block(net.blocks().size() - 2).layers();
        Shape out = head.get(head.size() - 1).outputShape();
        Random random = new Random(7);
        Npy.write(temp.resolve("X.npy"), randomArray(random, BATCH, net.input().c(), net.input().h(), net.input().w()));
        Npy.write(temp.resolve("G.npy"), randomArray(random, BATCH, out.c(), out.h(), out.w()));

        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(text, true, StandardCharsets.UTF_8);
        assertEquals(0, Tiletrain.run(arguments(cfg, temp, temp.resolve("build")), stream, stream), text.toString(StandardCharsets.UTF_8));

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(org.apache.spark.launcher.JavaModuleOptions.defaultModuleOptionArray()));
        command.addAll(List.of("-cp", LoopbackClusterExtension.moduleDir().resolve("target/tiletrain-job.jar").toString(),
                Tiletrain.class.getName()));
        command.addAll(List.of(arguments(cfg, temp, temp.resolve("jar"))));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("OPENBLAS_NUM_THREADS", "1");
        Process jar = builder.start();
        String output = new String(jar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jar.waitFor(2, TimeUnit.MINUTES), output);
        assertEquals(0, jar.exitValue(), output);

        List<Path> expected = files(temp.resolve("build"));
        assertTrue(expected.size() > 10, expected.toString());
        assertEquals(expected.stream().map(Path::getFileName).toList(), files(temp.resolve("jar")).stream().map(Path::getFileName).toList());
        for (Path f : expected) {
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(temp.resolve("jar").resolve(f.getFileName())), f.getFileName().toString());
        }
    }

    private static String[] arguments(Path cfg, Path in, Path out) {
        return new String[] {"backprop", "--cfg", cfg.toString(), "--weights", in.resolve("tiny-test.weights").toString(),
                "--input", in.resolve("X.npy").toString(), "--output-grad", in.resolve("G.npy").toString(),
                "--out", out.toString()};
    }

    private static NpyArray randomArray(Random random, int... shape) {
        int size = 1;
        for (int s : shape) {
            size *= s;
        }
        float[] data = new float[size];
        for (int i = 0; i < size; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return new NpyArray(shape, data);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
