package dev.tiletrain.job.metrics;

import java.util.List;

/**
 * The Spark-side times of one training iteration: the stages of the jobs run in job group
 * {@code iter-<n>}.
 *
 * @param wallMs from the first job's start to the last job's end
 */
public record IterationTimes(long iteration, int jobs, long wallMs, List<StageTimes> stages) {
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

    /**
     * Wall time not covered by the longest task of each stage: what scheduling, task launch, shuffle
     * bookkeeping and stragglers cost the iteration, assuming its stages run one after another (they do in
     * a training iteration, where each stage needs the previous one's output).
     */
    public long overheadMs() {
        return Math.max(0, wallMs - stages.stream().mapToLong(StageTimes::maxTaskRunMs).sum());
    }
}
