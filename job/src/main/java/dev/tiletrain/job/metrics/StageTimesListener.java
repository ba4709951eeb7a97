package dev.tiletrain.job.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.storage.BlockUpdatedInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Records per-stage times of the jobs in job groups {@code iter-<n>} and hands each iteration to a sink
 * once it is over: when a job of another iteration starts (Spark posts events in order, so by then every
 * event of the earlier iteration has arrived), when the application ends, or when the run detaches it
 * ({@link #detach}: a run that ends while its application goes on). Jobs outside such a group are not recorded.
 * Spark calls a listener from its bus thread; {@link #detach} comes from the driver's, hence the locks.
 */
public final class StageTimesListener extends SparkListener {
    private static final Pattern GROUP = Pattern.compile("iter-(\\d+)");
    private static final String JOB_GROUP = "spark.jobGroup.id";

    private final IterationSink sink;
    private final Map<Integer, Long> iterationOfStage = new HashMap<>();
    private final Map<Integer, Long> iterationOfJob = new HashMap<>();
    private final Map<Long, Open> open = new TreeMap<>();
    private final Map<StageAttempt, TaskSums> tasks = new HashMap<>();

    public StageTimesListener(IterationSink sink) {
        this.sink = sink;
    }

    /** An iteration whose jobs may still run. */
    private static final class Open {
        int jobs;
        long start = Long.MAX_VALUE;
        long end;
        /** Time with one or more of the iteration's jobs running: overlapped passes' jobs count once. */
        long jobsMs;
        int running;
        long busySince;
        long broadcastBytes;
        final List<StageTimes> stages = new ArrayList<>();
    }

    private record StageAttempt(int stage, int attempt) {}

    /** Task times of one stage attempt as they arrive. */
    private static final class TaskSums {
        int tasks;
        int failed;
        long run;
        long maxRun;
        long cpuNanos;
        long schedulerDelay;
        long deserialize;
        long resultSerialize;
        long gc;
        long shuffleWrite;
        long shuffleRead;
        long remoteShuffleRead;
        long resultBytes;
    }

    /** The iteration whose jobs started last: broadcast fetches are counted against it. */
    private Long current;
    /** The sink was closed: by the application's end or by {@link #detach}. */
    private boolean closed;

    @Override
    public synchronized void onJobStart(SparkListenerJobStart job) {
        Long iteration = iteration(job.properties());
        if (iteration == null) {
            return;
        }
        for (Long earlier : List.copyOf(open.keySet())) {
            if (!earlier.equals(iteration)) {
                emit(earlier);
            }
        }
        Open it = open.computeIfAbsent(iteration, n -> new Open());
        it.jobs++;
        it.start = Math.min(it.start, job.time());
        if (it.running++ == 0) {
            it.busySince = job.time();
        }
        iterationOfJob.put(job.jobId(), iteration);
        current = iteration;
        for (Object stage : CollectionConverters.asJava(job.stageIds())) {
            iterationOfStage.put((Integer) stage, iteration);
        }
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd job) {
        Long iteration = iterationOfJob.remove(job.jobId());
        if (iteration != null && open.containsKey(iteration)) {
            Open it = open.get(iteration);
            it.end = Math.max(it.end, job.time());
            if (--it.running == 0) {
                it.jobsMs += job.time() - it.busySince;
            }
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd task) {
        if (!iterationOfStage.containsKey(task.stageId())) {
            return;
        }
        TaskSums sums = tasks.computeIfAbsent(new StageAttempt(task.stageId(), task.stageAttemptId()),
                k -> new TaskSums());
        TaskInfo info = task.taskInfo();
        TaskMetrics m = task.taskMetrics();
        sums.tasks++;
        if (!info.successful()) {
            sums.failed++;
        }
        if (m == null) {
            return;
        }
        sums.run += m.executorRunTime();
        sums.maxRun = Math.max(sums.maxRun, m.executorRunTime());
        sums.cpuNanos += m.executorCpuTime();
        sums.deserialize += m.executorDeserializeTime();
        sums.resultSerialize += m.resultSerializationTime();
        sums.gc += m.jvmGCTime();
        sums.shuffleWrite += m.shuffleWriteMetrics().bytesWritten();
        sums.shuffleRead += m.shuffleReadMetrics().totalBytesRead();
        sums.remoteShuffleRead += m.shuffleReadMetrics().remoteBytesRead();
        sums.resultBytes += m.resultSize();
        sums.schedulerDelay += schedulerDelay(info, m);
    }

    @Override
    public synchronized void onStageCompleted(SparkListenerStageCompleted completed) {
        StageInfo stage = completed.stageInfo();
        Long iteration = iterationOfStage.get(stage.stageId());
        if (iteration == null || !open.containsKey(iteration)) {
            return;
        }
        TaskSums s = tasks.remove(new StageAttempt(stage.stageId(), stage.attemptNumber()));
        if (s == null) {
            s = new TaskSums();
        }
        long submitted = stage.submissionTime().isDefined() ? (Long) stage.submissionTime().get() : 0;
        long done = stage.completionTime().isDefined() ? (Long) stage.completionTime().get() : submitted;
        open.get(iteration).stages.add(new StageTimes(stage.stageId(), stage.attemptNumber(), stage.name(),
                stage.failureReason().isDefined(), s.tasks, s.failed, done - submitted, s.run, s.maxRun,
                s.cpuNanos / 1_000_000, s.schedulerDelay, s.deserialize, s.resultSerialize, s.gc, s.shuffleWrite,
                s.shuffleRead, s.remoteShuffleRead, s.resultBytes));
    }

    /**
     * A block an executor stored: a broadcast block (a piece of the weights, or of a stage's task binary)
     * arrived over the network, from the driver or another executor. Counted against the iteration running.
     */
    @Override
    public synchronized void onBlockUpdated(SparkListenerBlockUpdated update) {
        BlockUpdatedInfo block = update.blockUpdatedInfo();
        if (current != null && open.containsKey(current) && block.blockId().isBroadcast()
                && !block.blockManagerId().isDriver() && block.storageLevel().isValid()) {
            open.get(current).broadcastBytes += block.memSize() + block.diskSize();
        }
    }

    @Override
    public synchronized void onApplicationEnd(SparkListenerApplicationEnd end) {
        finish();
    }

    /**
     * Stops recording at the end of a run on a SparkContext that goes on (another run may follow and would
     * otherwise land in this run's sink): waits until Spark's listener bus has delivered what the run posted,
     * stops listening, then hands over the iterations still open and closes the sink, as the application's
     * end would. A bus that does not drain within {@code timeout} costs the last iteration's stage times only.
     */
    public void detach(SparkContext sc, Duration timeout) {
        try {
            // Spark's own wait (private[spark] in Scala, so public to Java): no public call drains the bus.
            sc.listenerBus().waitUntilEmpty(timeout.toMillis());
        } catch (TimeoutException e) {
            // Keep going: what arrived so far is written below.
        }
        sc.removeSparkListener(this);
        synchronized (this) {
            finish();
        }
    }

    private void finish() {
        if (closed) {
            return;
        }
        closed = true;
        List.copyOf(open.keySet()).forEach(this::emit);
        try {
            sink.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void emit(long iteration) {
        Open it = open.remove(iteration);
        // Late task ends (a zombie attempt's) and stages that never completed are dropped with the iteration.
        tasks.keySet().removeIf(k -> Long.valueOf(iteration).equals(iterationOfStage.get(k.stage())));
        iterationOfStage.values().removeIf(n -> n == iteration);
        try {
            sink.accept(new IterationTimes(iteration, it.jobs, Math.max(0, it.end - it.start), it.jobsMs,
                    it.broadcastBytes, it.stages));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Spark's own definition (AppStatusUtils.schedulerDelay, the UI's "Scheduler Delay"): the part of a task's
     * duration spent neither deserializing, running, serializing its result nor fetching that result.
     */
    static long schedulerDelay(TaskInfo info, TaskMetrics m) {
        long duration = info.finishTime() - info.launchTime();
        long fetch = info.gettingResultTime() > 0 ? info.finishTime() - info.gettingResultTime() : 0;
        return Math.max(0, duration - m.executorRunTime() - m.executorDeserializeTime() - m.resultSerializationTime()
                - fetch);
    }

    private static Long iteration(Properties properties) {
        if (properties == null) {
            return null;
        }
        String group = properties.getProperty(JOB_GROUP);
        Matcher m = group == null ? null : GROUP.matcher(group);
        return m != null && m.matches() ? Long.parseLong(m.group(1)) : null;
    }
}
