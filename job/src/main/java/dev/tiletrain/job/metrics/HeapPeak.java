package dev.tiletrain.job.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/**
 * This JVM's heap peak over an interval: the heap pools' peaks are reset at its start and summed at its end.
 * The pools peak at different moments, so the sum bounds the heap's true peak from above.
 */
public final class HeapPeak {
    private final List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.isValid()).toList();

    public void reset() {
        pools.forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** MB (2^20 bytes) since the last {@link #reset}. */
    public double megabytes() {
        return pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1048576.0;
    }
}
