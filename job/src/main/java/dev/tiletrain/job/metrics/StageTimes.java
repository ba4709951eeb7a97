package dev.tiletrain.job.metrics;

/**
 * Where one stage attempt's time went. Task times are sums over its tasks, in milliseconds.
 *
 * @param wallMs from the stage's submission to its completion
 * @param maxTaskRunMs the longest task's run time: the part of the wall time a perfectly scheduled stage
 *     cannot avoid
 * @param schedulerDelayMs as Spark's UI defines it: task duration minus run, deserialization, result
 *     serialization and result fetch, summed over tasks
 * @param remoteShuffleReadBytes the part of the shuffle read fetched from other executors
 * @param resultBytes serialized task results sent to the driver
 */
public record StageTimes(int stageId, int attempt, String name, boolean failed, int tasks, int failedTasks,
        long wallMs, long executorRunMs, long maxTaskRunMs, long executorCpuMs, long schedulerDelayMs,
        long deserializeMs, long resultSerializeMs, long gcMs, long shuffleWriteBytes, long shuffleReadBytes,
        long remoteShuffleReadBytes, long resultBytes) {}
