package dev.tiletrain.job.cluster;

import dev.tiletrain.tiles.DeviceLimits;
import java.util.Optional;

/**
 * The heaps {@code submit/train} gives the JVMs of a memory-limited device: every device runs a Worker and an
 * executor, and the first device also runs the driver (there is no server), so its limit has to hold all
 * three. An executor heap and a driver heap of {@code max(512, (M - 768) / 2)} MiB each for a limit of M MiB.
 * The 768 MiB left out: measured while tiny-YOLO trained at 160x160, batch 8, with the tail on the driver, the
 * Worker held 130 MiB, and the driver and the executor 270 and 170 MiB beyond their heaps (class metadata,
 * compiled code, thread stacks, Netty's and BLAS's native buffers), both heaps grown to their maximum; the
 * rest is room for the page cache and for what grows with the model. The floor is Spark's: it refuses a
 * driver or executor heap under 450 MiB (1.5 times the 300 MiB it reserves), so below 1.75 GiB the first
 * device's JVMs can outgrow its limit, and {@link #crowding} says so. Both are defaults:
 * {@code --conf spark.executor.memory=…} and {@code TILETRAIN_DRIVER_OPTS=-Xmx…} win.
 */
public record DeviceHeaps(long executorMb, long driverMb) {
    static final long SPARK_MINIMUM_MB = 512;
    static final long OUTSIDE_HEAPS_MB = 768;
    /** The Worker daemon's heap on a device: it only registers, launches executors and heartbeats. */
    static final String WORKER_HEAP = "-Xmx64m";

    static Optional<DeviceHeaps> of(DeviceLimits limits) {
        if (limits.memoryBytes().isEmpty()) {
            return Optional.empty();
        }
        long heap = Math.max(SPARK_MINIMUM_MB, (limits.memoryBytes().getAsLong() / (1024 * 1024) - OUTSIDE_HEAPS_MB) / 2);
        return Optional.of(new DeviceHeaps(heap, heap));
    }

    /** Why the first device may run out of memory with these heaps, when it may. */
    Optional<String> crowding(long memoryBytes) {
        long limitMb = memoryBytes / (1024 * 1024);
        long needMb = executorMb + driverMb + OUTSIDE_HEAPS_MB;
        if (needMb <= limitMb) {
            return Optional.empty();
        }
        return Optional.of(String.format("device-1 runs a Worker, an executor (heap %d MiB) and the driver (heap %d MiB,"
                + " Spark's floor is 450): grown to their heaps they need ~%d MiB, more than its %d MiB limit, and the"
                + " kernel kills one of them when they reach it (status counts the kills)", executorMb, driverMb,
                needMb, limitMb));
    }
}
