package dev.tiletrain.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.job.TrainJob;
import dev.tiletrain.job.conf.TiletrainConf;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.WeightsHeader;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Spark job in local mode (one JVM, tasks on threads) against the in-process trainers. */
class TrainerTest {
    @TempDir
    java.nio.file.Path temp;

    /** Either batch-norm backward; Darknet's must reach the executors as the exact one does. */
    @ParameterizedTest
    @EnumSource(BatchNorm.Backward.class)
    void localModeTrainsLikeTheInProcessRunner(BatchNorm.Backward backward) throws Exception {
        TrainingFixture f = TrainingFixture.generate(temp.resolve("data"));
        int iterations = 2;
        String kind = backward.name().toLowerCase(Locale.ROOT);
        SparkConf conf = TrainJob.configure(new SparkConf().setMaster("local[2]").setAppName("trainer test")
                .set("spark.ui.enabled", "false"));
        f.sparkSettings(iterations, temp.resolve("checkpoints")).forEach(conf::set);
        conf.set("spark.tiletrain.batchnorm.backward", kind);
        // Validation reads the model and changes nothing of it; at the end it draws one picture.
        conf.set("spark.tiletrain.validate.every", "2");
        Trainer.Outcome outcome;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            outcome = Trainer.run(sc, TiletrainConf.from(conf), false);
        }
        float[] spark = f.weights(java.nio.file.Path.of(new Path(outcome.checkpoint().orElseThrow(),
                TrainCheckpoint.WEIGHTS).toUri()));
        float[] tiled = f.weights(f.trainInProcess(iterations, TrainingFixture.GRID, temp.resolve("tiled"),
                "--batchnorm-backward", kind));
        float[] untiled = f.weights(f.trainInProcess(iterations, "1x1", temp.resolve("untiled"),
                "--batchnorm-backward", kind));
        // The checkpoint's weights also as Darknet names them, beside it.
        for (String name : List.of("tiny-test_2.weights", "tiny-test_last.weights", "tiny-test_final.weights")) {
            assertArrayEquals(spark, f.weights(temp.resolve("checkpoints").resolve(name)), name);
        }
        java.awt.image.BufferedImage picture = javax.imageio.ImageIO.read(temp.resolve("checkpoints/detections.png").toFile());
        assertTrue(picture != null && picture.getWidth() > 0, "detections.png decodes");
        // Spark adds in the in-process runner's order everywhere (tile order, then passes in order): the same bits.
        assertArrayEquals(tiled, spark, "vs the in-process runner");
        // Untiled sums in another order: the weights, and (far stricter: the weights barely move in 2 steps)
        // what training changed in them.
        float[] initial = f.initial();
        double vsUntiled = TrainingFixture.relative(spark, untiled, null);
        System.out.printf("spark vs untiled %.3g (updates %.3g)%n", vsUntiled,
                TrainingFixture.relative(spark, untiled, initial));
        assertTrue(vsUntiled <= 1e-4, "vs untiled " + vsUntiled);
        assertTrue(TrainingFixture.relative(spark, untiled, initial) <= 1e-4, "updates vs untiled");
    }

    /**
     * Two runs on one SparkContext: each ends with its own metrics CSVs complete (the last iteration's row written
     * before the run returns, not at the application's end) and untouched by the next run, and both train the
     * same weights.
     */
    @Test
    void runsOneAfterAnotherOnOneContextKeepTheirMetricsApart() throws Exception {
        TrainingFixture f = TrainingFixture.generate(temp.resolve("data"));
        int iterations = 2;
        SparkConf conf = TrainJob.configure(new SparkConf().setMaster("local[2]").setAppName("trainer runs test")
                .set("spark.ui.enabled", "false"));
        java.nio.file.Path first = temp.resolve("first"), second = temp.resolve("second");
        f.sparkSettings(iterations, first).forEach(conf::set);
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            Trainer.Outcome one = Trainer.run(sc, TiletrainConf.from(conf), false);
            List<String> firstRows = iterationRows(first);
            assertEquals(List.of("1", "2"), firstRows.stream().map(r -> r.substring(0, r.indexOf(','))).toList(),
                    "the first run's iterations, all written when it returned");
            conf.set("spark.tiletrain.checkpoint.dir", second.toUri().toString());
            Trainer.Outcome two = Trainer.run(sc, TiletrainConf.from(conf), false);
            assertEquals(firstRows, iterationRows(first), "the second run wrote nothing into the first's CSV");
            assertEquals(iterations, iterationRows(second).size(), "the second run's iterations");
            assertArrayEquals(f.weights(java.nio.file.Path.of(new Path(one.checkpoint().orElseThrow(),
                    TrainCheckpoint.WEIGHTS).toUri())), f.weights(java.nio.file.Path.of(new Path(
                    two.checkpoint().orElseThrow(), TrainCheckpoint.WEIGHTS).toUri())), "the same training twice");
        }
    }

    /** The rows (no header) of the one iterations CSV in a checkpoint directory. */
    private static List<String> iterationRows(java.nio.file.Path dir) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(dir)) {
            List<java.nio.file.Path> csv = files.filter(p -> p.getFileName().toString().endsWith("-iterations.csv"))
                    .toList();
            assertEquals(1, csv.size(), "one iterations CSV in " + dir);
            List<String> lines = java.nio.file.Files.readAllLines(csv.get(0));
            return lines.subList(1, lines.size());
        }
    }

    @Test
    void trainingFromAWeightsFileGoesOnFromItsImagesSeen() throws Exception {
        // Darknet's schedule: tiny-test.cfg's policy=steps rate is a 100th at batch number 61729 of what it is at
        // 1, so the updates match the in-process trainer's (which is exact, LocalTrainCommandTest) only if the job
        // counts on from the 123456 images the file has seen; and it writes that count on.
        TrainingFixture f = TrainingFixture.generate(temp.resolve("data"));
        java.nio.file.Path startFile = temp.resolve("start.weights");
        Model m = ModelBuilder.build(CfgParser.parse(f.cfg), BatchNorm.Mode.SYNC, 3);
        DarknetWeights.write(startFile, WeightsHeader.darknet(123_456), m.sections());
        int iterations = 2;
        SparkConf conf = TrainJob.configure(new SparkConf().setMaster("local[2]").setAppName("trainer seen test")
                .set("spark.ui.enabled", "false"));
        f.sparkSettings(iterations, temp.resolve("checkpoints")).forEach(conf::set);
        conf.set("spark.tiletrain.weights", startFile.toString());
        Trainer.Outcome outcome;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            outcome = Trainer.run(sc, TiletrainConf.from(conf), false);
        }
        java.nio.file.Path written = java.nio.file.Path.of(new Path(outcome.checkpoint().orElseThrow(),
                TrainCheckpoint.WEIGHTS).toUri());
        Model read = ModelBuilder.build(CfgParser.parse(f.cfg), BatchNorm.Mode.SYNC, 0);
        assertEquals(123_456 + iterations * TrainingFixture.BATCH, DarknetWeights.read(written, read.sections()).seen());
        float[] spark = f.weights(written);
        float[] tiled = f.weights(f.trainInProcess(iterations, TrainingFixture.GRID, temp.resolve("tiled"), "--weights",
                startFile.toString()));
        assertArrayEquals(tiled, spark, "vs the in-process runner, from seen=123456");
    }
}
