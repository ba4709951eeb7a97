package dev.tiletrain.job.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.executor.ExecutorMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Each executor's peak JVM heap and resident memory as Spark's executor metrics report them: what a device
 * holds where no test bed measures it. The values ride on the executors' heartbeats (every
 * {@code spark.executor.heartbeatInterval}, 10 s by default), so they are peaks since the run started, not per
 * iteration; the RSS needs {@code spark.executor.processTreeMetrics.enabled} (the job sets it) and Linux's procfs.
 */
public final class ExecutorMemoryPeaks extends SparkListener {
    private static final String DRIVER = "driver";

    /** Bytes, per executor id: heap, RSS. */
    private final Map<String, long[]> peaks = new ConcurrentHashMap<>();

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        if (update.execId().equals(DRIVER)) {
            return; // the driver's heap is measured in its own JVM, per iteration
        }
        for (ExecutorMetrics m : CollectionConverters.asJava(update.executorUpdates()).values()) {
            peaks.merge(update.execId(), new long[] {m.getMetricValue("JVMHeapMemory"),
                    m.getMetricValue("ProcessTreeJVMRSSMemory")},
                    (a, b) -> new long[] {Math.max(a[0], b[0]), Math.max(a[1], b[1])});
        }
    }

    /** The largest executor's peak heap so far, MB (2^20 bytes); NaN before the first report. */
    public double largestHeapMb() {
        return largest(0);
    }

    /** The largest executor's peak resident memory so far, MB; NaN before the first report or without procfs. */
    public double largestRssMb() {
        return largest(1);
    }

    private double largest(int which) {
        long m = peaks.values().stream().mapToLong(p -> p[which]).max().orElse(0);
        return m > 0 ? m / 1048576.0 : Double.NaN;
    }
}
