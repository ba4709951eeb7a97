package dev.tiletrain.job.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes iteration times as two CSV files through a Hadoop FileSystem, next to the checkpoints:
 * {@code <run>-iterations.csv} (one row per iteration) and {@code <run>-stages.csv} (one row per stage).
 * Each row is flushed as it is written, so a running job's files can be read.
 */
public final class MetricsCsv implements IterationSink {
    static final String ITERATIONS_HEADER = "iteration,jobs,stages,tasks,wall_ms,overhead_ms,executor_run_ms,"
            + "scheduler_delay_ms,shuffle_write_bytes,shuffle_read_bytes";
    static final String STAGES_HEADER = "iteration,stage,attempt,name,failed,tasks,failed_tasks,wall_ms,"
            + "executor_run_ms,max_task_run_ms,executor_cpu_ms,scheduler_delay_ms,deserialize_ms,"
            + "result_serialize_ms,gc_ms,shuffle_write_bytes,shuffle_read_bytes";

    private final FSDataOutputStream iterations;
    private final FSDataOutputStream stages;

    private MetricsCsv(FSDataOutputStream iterations, FSDataOutputStream stages) {
        this.iterations = iterations;
        this.stages = stages;
    }

    /** Creates the two files for run {@code run} (the application id: a resumed run gets new files). */
    public static MetricsCsv create(FileSystem fs, Path dir, String run) throws IOException {
        FSDataOutputStream iterations = FlushedFile.create(fs, new Path(dir, run + "-iterations.csv"));
        FSDataOutputStream stages;
        try {
            stages = FlushedFile.create(fs, new Path(dir, run + "-stages.csv"));
        } catch (IOException e) {
            iterations.close();
            throw e;
        }
        MetricsCsv csv = new MetricsCsv(iterations, stages);
        csv.line(iterations, ITERATIONS_HEADER);
        csv.line(stages, STAGES_HEADER);
        return csv;
    }

    @Override
    public void accept(IterationTimes it) throws IOException {
        for (StageTimes s : it.stages()) {
            line(stages, it.iteration() + "," + s.stageId() + "," + s.attempt() + "," + quote(s.name()) + ","
                    + s.failed() + "," + s.tasks() + "," + s.failedTasks() + "," + s.wallMs() + ","
                    + s.executorRunMs() + "," + s.maxTaskRunMs() + "," + s.executorCpuMs() + ","
                    + s.schedulerDelayMs() + "," + s.deserializeMs() + "," + s.resultSerializeMs() + ","
                    + s.gcMs() + "," + s.shuffleWriteBytes() + "," + s.shuffleReadBytes());
        }
        line(iterations, it.iteration() + "," + it.jobs() + "," + it.stages().size() + "," + it.tasks() + ","
                + it.wallMs() + "," + it.overheadMs() + "," + it.executorRunMs() + "," + it.schedulerDelayMs() + ","
                + it.shuffleWriteBytes() + "," + it.shuffleReadBytes());
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

    private static String quote(String text) {
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }
}
