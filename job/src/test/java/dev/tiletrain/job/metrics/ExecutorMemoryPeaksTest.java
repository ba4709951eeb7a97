package dev.tiletrain.job.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.spark.executor.ExecutorMetrics;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.junit.jupiter.api.Test;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

class ExecutorMemoryPeaksTest {
    private static final long MB = 1048576;

    /** A heartbeat of {@code executor} with one stage's peaks, as Spark posts it. */
    private static SparkListenerExecutorMetricsUpdate heartbeat(String executor, long heap, long rss) {
        scala.collection.immutable.Map<String, Object> values = scala.collection.immutable.Map$.MODULE$.from(
                CollectionConverters.asScala(Map.<String, Object>of("JVMHeapMemory", heap, "ProcessTreeJVMRSSMemory", rss)));
        Map<Tuple2<Object, Object>, ExecutorMetrics> updates = Map.of(new Tuple2<>(3, 0), new ExecutorMetrics(values));
        return new SparkListenerExecutorMetricsUpdate(executor, CollectionConverters.asScala(java.util.List.<scala.Tuple4<
                Object, Object, Object, scala.collection.immutable.Seq<org.apache.spark.scheduler.AccumulableInfo>>>of())
                .toList(), CollectionConverters.asScala(updates));
    }

    @Test
    void keepsTheLargestExecutorsPeaksAndLeavesTheDriverOut() {
        ExecutorMemoryPeaks peaks = new ExecutorMemoryPeaks();
        assertTrue(Double.isNaN(peaks.largestHeapMb()), "nothing before the first heartbeat");
        peaks.onExecutorMetricsUpdate(heartbeat("0", 300 * MB, 700 * MB));
        peaks.onExecutorMetricsUpdate(heartbeat("1", 450 * MB, 650 * MB));
        peaks.onExecutorMetricsUpdate(heartbeat("0", 200 * MB, 720 * MB)); // lower heap later: the peak stays
        peaks.onExecutorMetricsUpdate(heartbeat("driver", 5000 * MB, 9000 * MB));
        assertEquals(450, peaks.largestHeapMb());
        assertEquals(720, peaks.largestRssMb());
    }

    @Test
    void withoutProcfsTheResidentMemoryIsUnknownNotZero() {
        ExecutorMemoryPeaks peaks = new ExecutorMemoryPeaks();
        peaks.onExecutorMetricsUpdate(heartbeat("0", 300 * MB, 0));
        assertEquals(300, peaks.largestHeapMb());
        assertTrue(Double.isNaN(peaks.largestRssMb()));
    }
}
