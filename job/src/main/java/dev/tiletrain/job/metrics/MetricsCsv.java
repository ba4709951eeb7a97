package dev.tiletrain.job.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes iteration metrics as two CSV files through a Hadoop FileSystem, next to the checkpoints:
 * {@code <run>-iterations.csv} (one row per iteration: Spark's times and bytes beside the driver's own
 * measurements, and per emulated device its link bytes and peak memory) and {@code <run>-stages.csv} (one
 * row per stage). A row is written once Spark's events of the iteration are all in (when the next
 * iteration's first job starts, or the application ends) and flushed at once, so a running job's files can
 * be followed with {@code tail -f}, an iteration behind.
 */
public final class MetricsCsv implements IterationSink {
    static final String ITERATIONS_HEADER = "iteration,jobs,stages,tasks,wall_ms,overhead_ms,executor_run_ms,"
            + "scheduler_delay_ms,shuffle_write_bytes,shuffle_read_bytes,jobs_ms,spark_overhead_ms,deserialize_ms,"
            + "executor_cpu_ms,remote_shuffle_read_bytes,result_bytes,broadcast_bytes,seconds,tail_seconds,loss,"
            + "avg_loss,learning_rate,images_per_s,halo_mb,map,driver_heap_mb,executor_heap_mb,executor_rss_mb";
    static final String STAGES_HEADER = "iteration,stage,attempt,name,failed,tasks,failed_tasks,wall_ms,"
            + "executor_run_ms,max_task_run_ms,executor_cpu_ms,scheduler_delay_ms,deserialize_ms,"
            + "result_serialize_ms,gc_ms,shuffle_write_bytes,shuffle_read_bytes,remote_shuffle_read_bytes,result_bytes";

    private final FSDataOutputStream iterations;
    private final FSDataOutputStream stages;
    private final List<String> devices;
    private final Map<Long, DriverIteration> driver = new ConcurrentHashMap<>();

    private MetricsCsv(FSDataOutputStream iterations, FSDataOutputStream stages, List<String> devices) {
        this.iterations = iterations;
        this.stages = stages;
        this.devices = List.copyOf(devices);
    }

    /** Creates the two files for run {@code run} (the application id: a resumed run gets new files). */
    public static MetricsCsv create(FileSystem fs, Path dir, String run) throws IOException {
        return create(fs, dir, run, List.of());
    }

    /** The same with columns {@code <device>_link_bytes} and {@code <device>_peak_mb} for each device. */
    public static MetricsCsv create(FileSystem fs, Path dir, String run, List<String> devices) throws IOException {
        FSDataOutputStream iterations = FlushedFile.create(fs, new Path(dir, run + "-iterations.csv"));
        FSDataOutputStream stages;
        try {
            stages = FlushedFile.create(fs, new Path(dir, run + "-stages.csv"));
        } catch (IOException e) {
            iterations.close();
            throw e;
        }
        MetricsCsv csv = new MetricsCsv(iterations, stages, devices);
        StringBuilder header = new StringBuilder(ITERATIONS_HEADER);
        devices.forEach(d -> header.append(',').append(d).append("_link_bytes,").append(d).append("_peak_mb"));
        csv.line(iterations, header.toString());
        csv.line(stages, STAGES_HEADER);
        return csv;
    }

    /** The driver's side of an iteration; its row is written with Spark's side. */
    public void record(DriverIteration it) {
        driver.put(it.iteration(), it);
    }

    @Override
    public void accept(IterationTimes it) throws IOException {
        for (StageTimes s : it.stages()) {
            line(stages, it.iteration() + "," + s.stageId() + "," + s.attempt() + "," + quote(s.name()) + ","
                    + s.failed() + "," + s.tasks() + "," + s.failedTasks() + "," + s.wallMs() + ","
                    + s.executorRunMs() + "," + s.maxTaskRunMs() + "," + s.executorCpuMs() + ","
                    + s.schedulerDelayMs() + "," + s.deserializeMs() + "," + s.resultSerializeMs() + ","
                    + s.gcMs() + "," + s.shuffleWriteBytes() + "," + s.shuffleReadBytes() + ","
                    + s.remoteShuffleReadBytes() + "," + s.resultBytes());
        }
        StringBuilder row = new StringBuilder();
        row.append(it.iteration()).append(',').append(it.jobs()).append(',').append(it.stages().size()).append(',')
                .append(it.tasks()).append(',').append(it.wallMs()).append(',').append(it.overheadMs()).append(',')
                .append(it.executorRunMs()).append(',').append(it.schedulerDelayMs()).append(',')
                .append(it.shuffleWriteBytes()).append(',').append(it.shuffleReadBytes()).append(',')
                .append(it.jobsMs()).append(',').append(it.sparkOverheadMs()).append(',').append(it.deserializeMs())
                .append(',').append(it.executorCpuMs()).append(',').append(it.remoteShuffleReadBytes()).append(',')
                .append(it.resultBytes()).append(',').append(it.broadcastBytes());
        DriverIteration d = driver.remove(it.iteration());
        if (d == null) {
            row.append(",".repeat(11 + 2 * devices.size()));
        } else {
            row.append(String.format(Locale.ROOT, ",%.3f,%.3f,%.4f,%.4f,%.6g,%.3f,%.4f", d.seconds(), d.tailSeconds(),
                    d.loss(), d.averageLoss(), d.learningRate(), d.imagesPerSecond(), d.haloMegabytes()));
            row.append(d.map().isPresent() ? String.format(Locale.ROOT, ",%.4f", d.map().getAsDouble()) : ",");
            DriverIteration.JvmPeaks j = d.jvms();
            row.append(megabytes(j.driverHeapMb())).append(megabytes(j.executorHeapMb()))
                    .append(megabytes(j.executorRssMb()));
            for (String device : devices) {
                DriverIteration.DeviceSample s = d.devices().get(device);
                row.append(s == null ? ",," : String.format(Locale.ROOT, ",%d,%.1f", s.linkBytes(),
                        s.peakBytes() / 1048576.0));
            }
        }
        line(iterations, row.toString());
    }

    @Override
    public void close() throws IOException {
        try {
            iterations.close();
        } finally {
            stages.close();
        }
    }

    private void line(FSDataOutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.hflush();
    }

    private static String megabytes(double mb) {
        return Double.isNaN(mb) ? "," : String.format(Locale.ROOT, ",%.1f", mb);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }
}
