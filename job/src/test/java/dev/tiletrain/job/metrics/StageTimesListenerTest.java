package dev.tiletrain.job.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.job.rdd.StageName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.JobSucceeded$;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/** The listener in a local Spark: iterations are told apart by job group and handed over complete. */
class StageTimesListenerTest {
    @TempDir
    Path dir;

    @Test
    void groupsStagesByIterationAndSkipsOtherJobs() throws Exception {
        List<IterationTimes> seen = new ArrayList<>();
        FileSystem fs = FileSystem.getLocal(new Configuration());
        MetricsCsv csv = MetricsCsv.create(fs, new org.apache.hadoop.fs.Path(dir.toUri()), "run-1", List.of("dev1"));
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("listener")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.sc().addSparkListener(new StageTimesListener(new IterationSink() {
                @Override
                public void accept(IterationTimes times) throws java.io.IOException {
                    seen.add(times);
                    csv.accept(times);
                }

                @Override
                public void close() throws java.io.IOException {
                    csv.close();
                }
            }));
            sc.parallelize(List.of(1, 2, 3), 3).count(); // No group: not recorded.
            for (int n = 0; n < 3; n++) {
                sc.setJobGroup("iter-" + n, "iteration " + n, false);
                StageName.within(sc, "shuffle " + n, () -> sc.parallelize(IntStream.range(0, 100).boxed().toList(), 4)
                        .mapToPair(i -> new Tuple2<>(i % 3, i)).reduceByKey(Integer::sum, 2).collect());
                if (n == 1) { // A second job in the same iteration, and the driver's side of it.
                    StageName.within(sc, "count 1", () -> sc.parallelize(List.of(1, 2), 2).count());
                    csv.record(new DriverIteration(1, 2.5, 3.25, 4, .001, 8, .125, .5, OptionalDouble.of(.75),
                            Map.of("dev1", new DriverIteration.DeviceSample(12345, 3 * 1048576)),
                            new DriverIteration.JvmPeaks(512.5, Double.NaN, 300)));
                }
            }
            sc.clearJobGroup();
            sc.parallelize(List.of(1), 1).count(); // After the last iteration, ungrouped again.
        }

        assertEquals(List.of(0L, 1L, 2L), seen.stream().map(IterationTimes::iteration).toList());
        assertEquals(List.of(1, 2, 1), seen.stream().map(IterationTimes::jobs).toList());
        for (IterationTimes it : seen) {
            List<String> names = it.stages().stream().map(StageTimes::name).toList();
            int expectedStages = it.iteration() == 1 ? 3 : 2;
            assertEquals(expectedStages, it.stages().size(), names.toString());
            assertTrue(names.contains("shuffle " + it.iteration()), names.toString());
            assertEquals(it.iteration() == 1 ? 4 + 2 + 2 : 4 + 2, it.tasks());
            assertTrue(it.shuffleWriteBytes() > 0 && it.shuffleWriteBytes() == it.shuffleReadBytes(), it.toString());
            assertTrue(it.wallMs() >= it.stages().stream().mapToLong(StageTimes::maxTaskRunMs).sum(), it.toString());
            for (StageTimes s : it.stages()) {
                assertTrue(s.executorRunMs() >= s.maxTaskRunMs() && s.schedulerDelayMs() >= 0, s.toString());
            }
        }

        List<String> iterations = Files.readAllLines(dir.resolve("run-1-iterations.csv"));
        assertEquals(MetricsCsv.ITERATIONS_HEADER + ",dev1_link_bytes,dev1_peak_mb", iterations.get(0));
        assertEquals(4, iterations.size());
        assertTrue(iterations.get(2).startsWith("1,2,3,8,"), iterations.get(2));
        assertTrue(iterations.get(2).endsWith(",2.500,0.500,3.2500,4.0000,0.00100000,8.000,0.1250,0.7500,512.5,,300.0,"
                + "12345,3.0"), iterations.get(2));
        assertTrue(iterations.get(1).endsWith(",".repeat(13)), "no driver side for iteration 0: " + iterations.get(1));
        assertEquals(iterations.get(0).split(",").length, iterations.get(2).split(",").length);
        List<String> stages = Files.readAllLines(dir.resolve("run-1-stages.csv"));
        assertEquals(MetricsCsv.STAGES_HEADER, stages.get(0));
        assertEquals(1 + 2 + 3 + 2, stages.size());
        assertTrue(stages.stream().anyMatch(l -> l.startsWith("1,") && l.contains(",\"count 1\",false,2,0,")),
                String.join("\n", stages));
    }

    /**
     * Overlapped passes run an iteration's jobs at the same time: the time its jobs ran counts such a stretch once,
     * not once per job (jobs at 1000–2000 and 1500–3000 ms: 2000 ms, where their durations sum to 2500; a third at
     * 3500–4000 adds its 500).
     */
    @Test
    void concurrentJobsOfAnIterationCountTheirTimeOnce() {
        List<IterationTimes> seen = new ArrayList<>();
        StageTimesListener listener = new StageTimesListener(new IterationSink() {
            @Override
            public void accept(IterationTimes times) {
                seen.add(times);
            }

            @Override
            public void close() {}
        });
        Properties group = new Properties();
        group.setProperty("spark.jobGroup.id", "iter-1");
        listener.onJobStart(jobStart(0, 1000, group));
        listener.onJobStart(jobStart(1, 1500, group));
        listener.onJobEnd(new SparkListenerJobEnd(0, 2000, JobSucceeded$.MODULE$));
        listener.onJobEnd(new SparkListenerJobEnd(1, 3000, JobSucceeded$.MODULE$));
        listener.onJobStart(jobStart(2, 3500, group)); // One after the other: its 500 ms add.
        listener.onJobEnd(new SparkListenerJobEnd(2, 4000, JobSucceeded$.MODULE$));
        Properties next = new Properties();
        next.setProperty("spark.jobGroup.id", "iter-2");
        listener.onJobStart(jobStart(3, 5000, next)); // hands iteration 1 over
        assertEquals(1, seen.size());
        assertEquals(3, seen.get(0).jobs());
        assertEquals(2500, seen.get(0).jobsMs());
        assertEquals(3000, seen.get(0).wallMs());
    }

    private static SparkListenerJobStart jobStart(int id, long time, Properties properties) {
        return new SparkListenerJobStart(id, time, CollectionConverters.asScala(List.<StageInfo>of()).toSeq(), properties);
    }
}
