package dev.tiletrain.job.metrics;

import java.util.List;

/**
 * The Spark-side times and bytes of one training iteration: the stages of the jobs run in job group
 * {@code iter-<n>}, and what the executors fetched as broadcasts meanwhile.
 *
 * @param wallMs from the first job's start to the last job's end
 * @param jobsMs the time one or more of the jobs ran: their durations summed when they run one after another (the
 *     driver's work between jobs is not in it), overlapped passes' concurrent jobs counted once
 * @param broadcastBytes broadcast blocks the executors stored (the tiled layers' weights, each stage's task
 *     binary), as their block managers reported them
 */
public record IterationTimes(long iteration, int jobs, long wallMs, long jobsMs, long broadcastBytes,
        List<StageTimes> stages) {
    public IterationTimes {
        stages = List.copyOf(stages);
    }

    public int tasks() {
        return stages.stream().mapToInt(StageTimes::tasks).sum();
    }

    public long executorRunMs() {
        return stages.stream().mapToLong(StageTimes::executorRunMs).sum();
    }

    public long schedulerDelayMs() {
        return stages.stream().mapToLong(StageTimes::schedulerDelayMs).sum();
    }

    public long shuffleWriteBytes() {
        return stages.stream().mapToLong(StageTimes::shuffleWriteBytes).sum();
    }

    public long shuffleReadBytes() {
        return stages.stream().mapToLong(StageTimes::shuffleReadBytes).sum();
    }

    /** Shuffle bytes fetched from another executor: what crosses links, where a local read does not. */
    public long remoteShuffleReadBytes() {
        return stages.stream().mapToLong(StageTimes::remoteShuffleReadBytes).sum();
    }

    /** Task results sent to the driver (the tail's input, the gradient parts). */
    public long resultBytes() {
        return stages.stream().mapToLong(StageTimes::resultBytes).sum();
    }

    public long deserializeMs() {
        return stages.stream().mapToLong(StageTimes::deserializeMs).sum();
    }

    public long executorCpuMs() {
        return stages.stream().mapToLong(StageTimes::executorCpuMs).sum();
    }

    /**
     * The jobs' time not covered by the longest task of each stage (the stages of a training pass run one
     * after another): Spark's own share — scheduling, task launch and deserialization, shuffle bookkeeping,
     * result fetching — and stragglers.
     */
    public long sparkOverheadMs() {
        return Math.max(0, jobsMs - stages.stream().mapToLong(StageTimes::maxTaskRunMs).sum());
    }

    /**
     * Wall time not covered by the longest task of each stage: what scheduling, task launch, shuffle
     * bookkeeping and stragglers cost the iteration, assuming its stages run one after another (they do in
     * a training iteration, where each stage needs the previous one's output).
     */
    public long overheadMs() {
        return Math.max(0, wallMs - stages.stream().mapToLong(StageTimes::maxTaskRunMs).sum());
    }
}
