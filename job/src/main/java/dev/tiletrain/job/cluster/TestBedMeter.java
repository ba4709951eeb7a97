package dev.tiletrain.job.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What each device of a running test bed has moved over its link and holds in memory, read from the kernel's
 * own counters: the host end of the device's link ({@code /sys/class/net/<link>/statistics}) and the device's
 * memory cgroup ({@code memory.usage_in_bytes}, {@code memory.max_usage_in_bytes}; both count the page
 * cache its processes touched as well as their resident memory; {@code memory.oom_control}'s {@code oom_kill}
 * counts the processes the kernel killed at the limit). Cheap enough to read once per iteration.
 *
 * <p>It works from any process of this machine that runs as root and sees the machine's {@code /sys}: the
 * test JVM, {@code submit/cluster}, and a driver that {@code submit/train} put on device 1. That driver is
 * entered into device 1's network namespace with {@code nsenter --net}, which leaves {@code /sys} as the
 * machine's; {@code ip netns exec} would mount the namespace's own {@code /sys} instead, where neither the host
 * ends of the links nor the cgroups are.
 */
public final class TestBedMeter {
    /**
     * One device's counters since the test bed was made (bytes) and its memory now and at its peak since the
     * last {@link #resetPeaks} (bytes).
     *
     * @param device {@code device-1}, {@code device-2}, … (its Worker is {@code worker-1}, …)
     * @param address the device's address: the host of its executors and, on device 1, of the driver
     * @param rxBytes bytes the device received over its link (its host end's {@code tx_bytes})
     * @param txBytes bytes the device sent over its link (its host end's {@code rx_bytes})
     * @param oomKills processes the kernel killed on the device for reaching its memory limit
     */
    public record DeviceReading(String device, String address, long rxBytes, long txBytes, long memoryBytes,
                                long peakMemoryBytes, long oomKills) {}

    private final TestBedState state;

    private TestBedMeter(TestBedState state) {
        this.state = state;
    }

    /** A meter of the test bed a state file ({@code spark.tiletrain.testbed}) records. */
    public static TestBedMeter open(Path stateFile) {
        return new TestBedMeter(TestBedState.read(stateFile).orElseThrow(
                () -> new IllegalArgumentException("no test bed state at " + stateFile)));
    }

    /** One reading per device, in device order. */
    public List<DeviceReading> read() {
        return state.devices().stream().map(d -> {
            Path link = TestBed.SYS_NET.resolve(d.link()).resolve("statistics");
            return new DeviceReading(d.name(), d.address(), number(link.resolve("tx_bytes")), number(link.resolve("rx_bytes")),
                    number(d.memoryCgroup().resolve("memory.usage_in_bytes")),
                    number(d.memoryCgroup().resolve("memory.max_usage_in_bytes")), oomKills(d.memoryCgroup()));
        }).toList();
    }

    /** Starts each device's peak afresh from its memory now (the kernel's reset: 0 written to the peak). */
    public void resetPeaks() {
        for (TestBedState.Device d : state.devices()) {
            Path peak = d.memoryCgroup().resolve("memory.max_usage_in_bytes");
            try {
                Files.writeString(peak, "0");
            } catch (IOException e) {
                throw new IllegalStateException("cannot reset " + peak + " (root only): " + e.getMessage(), e);
            }
        }
    }

    /** The {@code oom_kill} line of {@code memory.oom_control} (kernels since 4.13). */
    private static long oomKills(Path cgroup) {
        Path file = cgroup.resolve("memory.oom_control");
        try {
            return Files.readAllLines(file).stream().filter(l -> l.startsWith("oom_kill "))
                    .mapToLong(l -> Long.parseLong(l.substring("oom_kill ".length()).trim())).findFirst().orElse(0);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    private static long number(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            throw unreadable(file, e);
        }
    }

    private static IllegalStateException unreadable(Path file, Exception e) {
        return new IllegalStateException("cannot read " + file + " (" + e.getMessage() + "): the test bed is gone, or this "
                + "process sees another /sys than the machine's (enter a device with nsenter --net, not ip netns exec)", e);
    }
}
