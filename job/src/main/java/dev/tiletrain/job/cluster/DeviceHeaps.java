package dev.tiletrain.job.cluster;

import dev.tiletrain.tiles.DeviceLimits;
import java.util.Optional;

/**
 * The heaps {@code submit/train} gives the JVMs of a memory-limited device: every device runs a Worker and an
 * executor, and the first device also runs the driver (there is no server), so its limit has to hold all
 * three. An executor heap and a driver heap of {@code max(512, (M - 512) / 2)} MiB each for a limit of M MiB:
 * the 512 MiB left out cover the Worker (~110 MiB resident with its small heap) and what the two other JVMs
 * hold outside their heaps (class metadata, compiled code, thread stacks, Netty's direct buffers: ~150-200 MiB
 * each). The floor is Spark's: it refuses a driver or executor heap under 450 MiB (1.5 times the 300 MiB it
 * reserves), so below a 1.5 GiB limit the first device's JVMs can outgrow it, and {@link #crowding} says so.
 * Both are defaults: {@code --conf spark.executor.memory=…} and {@code TILETRAIN_DRIVER_OPTS=-Xmx…} win.
 */
public record DeviceHeaps(long executorMb, long driverMb) {
    static final long SPARK_MINIMUM_MB = 512;
    static final long OUTSIDE_HEAPS_MB = 512;
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
                + " kernel kills one of them when they reach it (memory.failcnt counts the hits)", executorMb, driverMb,
                needMb, limitMb));
    }
}
