package dev.tiletrain.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.job.TrainJob;
import dev.tiletrain.job.conf.TiletrainConf;
import dev.tiletrain.ops.layers.BatchNorm;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

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
        Trainer.Outcome outcome;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            outcome = Trainer.run(sc, TiletrainConf.from(conf), false);
        }
        float[] spark = f.weights(java.nio.file.Path.of(new Path(outcome.checkpoint().orElseThrow(),
                TrainCheckpoint.WEIGHTS).toUri()));
        List<String> flag = List.of("--batchnorm-backward", kind);
        float[] tiled = f.weights(f.trainInProcess(iterations, TrainingFixture.GRID, temp.resolve("tiled"), flag));
        float[] untiled = f.weights(f.trainInProcess(iterations, "1x1", temp.resolve("untiled"), flag));
        // The checkpoint's weights also as Darknet names them, beside it.
        for (String name : List.of("tiny-test_2.weights", "tiny-test_last.weights")) {
            assertArrayEquals(spark, f.weights(temp.resolve("checkpoints").resolve(name)), name);
        }
        float[] initial = f.initial();
        double vsTiled = TrainingFixture.relative(spark, tiled, null);
        double vsUntiled = TrainingFixture.relative(spark, untiled, null);
        double changeVsTiled = TrainingFixture.relative(spark, tiled, initial);
        System.out.printf("spark vs in-process tiled %.3g (updates %.3g), vs untiled %.3g (updates %.3g)%n", vsTiled,
                changeVsTiled, vsUntiled, TrainingFixture.relative(spark, untiled, initial));
        // The weights, and (far stricter: the weights barely move in 2 steps) what training changed in them.
        assertTrue(vsTiled <= 1e-5, "vs tiled " + vsTiled);
        assertTrue(vsUntiled <= 1e-4, "vs untiled " + vsUntiled);
        assertTrue(changeVsTiled <= 1e-5, "updates vs tiled " + changeVsTiled);
        assertTrue(TrainingFixture.relative(spark, untiled, initial) <= 1e-4, "updates vs untiled");
    }
}
