package dev.tiletrain.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiletrain.data.shapes.ShapesWriter;
import dev.tiletrain.job.cluster.LoopbackClusterExtension;
import dev.tiletrain.job.checkpoint.DarknetCheckpoints;
import dev.tiletrain.job.local.LocalTrainCommand;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.weights.DarknetWeights;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The run both trainers do in the tests: {@code conf/tiny-test.cfg} (64×64, 2 classes) on a small generated
 * shapes set, batch 2 in one pass, fixed seed; the Spark job's settings and the in-process trainer's
 * arguments for the same run, and the weights each wrote.
 */
final class TrainingFixture {
    static final long SEED = 7;
    static final int BATCH = 2;
    static final String GRID = "2x2";
    /** Two groups: blocks 0-3 (conv, pool, conv, pool) and 4-8; the tail is blocks 9-10 (1x1 conv, region). */
    static final String GROUPS = "0-3,4-8";

    final Path cfg = LoopbackClusterExtension.moduleDir().resolve("../conf/tiny-test.cfg").normalize();
    final Path data;

    private TrainingFixture(Path data) {
        this.data = data;
    }

    /** Generates 24 images of 64×64 under {@code dir}. */
    static TrainingFixture generate(Path dir) throws IOException {
        ShapesWriter.write(dir, 24, 64, 2, SEED);
        return new TrainingFixture(dir.resolve(ShapesWriter.DATA_FILE));
    }

    /** The job's settings for {@code iterations} iterations, checkpoints in {@code checkpoints}. */
    Map<String, String> sparkSettings(int iterations, Path checkpoints) {
        Map<String, String> s = new HashMap<>();
        s.put("spark.tiletrain.model", cfg.toString());
        s.put("spark.tiletrain.data", data.toString());
        s.put("spark.tiletrain.tiles", GRID);
        s.put("spark.tiletrain.groups", GROUPS);
        s.put("spark.tiletrain.batch", Integer.toString(BATCH));
        s.put("spark.tiletrain.subdivisions", "1");
        s.put("spark.tiletrain.iterations", Integer.toString(iterations));
        s.put("spark.tiletrain.seed", Long.toString(SEED));
        s.put("spark.tiletrain.checkpoint.dir", checkpoints.toUri().toString());
        return s;
    }

    /**
     * Trains in this process ({@code tiletrain train}, with {@code extra} arguments, which may give
     * {@code --subdivisions}: 1 otherwise) and returns the final weights' file.
     */
    Path trainInProcess(int iterations, String grid, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("--cfg", cfg.toString(), "--data", data.toString(), "--batch",
                Integer.toString(BATCH), "--iterations", Integer.toString(iterations),
                "--seed", Long.toString(SEED), "--out", out.toString(), "--tiles", grid));
        args.addAll(List.of(extra));
        if (!args.contains("--subdivisions")) {
            args.addAll(List.of("--subdivisions", "1"));
        }
        if (!grid.equals("1x1")) {
            args.addAll(List.of("--groups", GROUPS));
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(text, true, StandardCharsets.UTF_8);
        int code = LocalTrainCommand.run(args.toArray(String[]::new), stream, stream);
        assertEquals(0, code, text.toString(StandardCharsets.UTF_8));
        return out.resolve(DarknetCheckpoints.base(cfg.getFileName().toString()) + "_final.weights");
    }

    /** A weights file of the tiny net as one flat vector (weights, biases, scales, rolling statistics). */
    float[] weights(Path file) throws IOException {
        Model m = ModelBuilder.build(CfgParser.parse(cfg), BatchNorm.Mode.SYNC, 0);
        DarknetWeights.read(file, m.sections());
        return m.layout().flatten();
    }

    /** The untrained weights (Darknet's initialization from the seed), to measure what training changed. */
    float[] initial() throws IOException {
        return ModelBuilder.build(CfgParser.parse(cfg), BatchNorm.Mode.SYNC, SEED).layout().flatten();
    }

    /** ‖a − b‖ / ‖b‖, optionally of the changes from {@code origin}. */
    static double relative(float[] a, float[] b, float[] origin) {
        double diff = 0, norm = 0;
        for (int i = 0; i < a.length; i++) {
            double o = origin == null ? 0 : origin[i];
            diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
            norm += (b[i] - o) * (b[i] - o);
        }
        return Math.sqrt(diff / norm);
    }
}
