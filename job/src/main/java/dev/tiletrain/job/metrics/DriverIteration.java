package dev.tiletrain.job.metrics;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * What the driver measured of one training iteration, joined in the metrics CSV with what Spark's events
 * say of the same iteration.
 *
 * @param seconds the iteration's wall time on the driver: its jobs, the tail between them, the update
 * @param tailSeconds the untiled tail's time on the driver, summed over the iteration's passes
 * @param map mAP@0.5 on the validation list, when it was computed after this iteration
 * @param devices per emulated device (test bed only; empty elsewhere): the bytes its link carried during
 *     the iteration and its peak memory
 * @param jvms the driver's heap peak during the iteration and the executors' peaks so far, on any cluster
 */
public record DriverIteration(long iteration, double seconds, double loss, double averageLoss, double learningRate,
        double imagesPerSecond, double haloMegabytes, double tailSeconds, OptionalDouble map,
        Map<String, DeviceSample> devices, JvmPeaks jvms) {
    public DriverIteration {
        devices = Map.copyOf(devices);
    }

    /** One device during one iteration: bytes in and out over its link, and its peak resident memory. */
    public record DeviceSample(long linkBytes, long peakBytes) {}

    /**
     * MB (2^20 bytes; NaN where unknown): the driver JVM's heap peak during the iteration, and the largest
     * executor's peak heap and resident memory so far ({@link ExecutorMemoryPeaks}).
     */
    public record JvmPeaks(double driverHeapMb, double executorHeapMb, double executorRssMb) {}
}
