package dev.tiletrain.tiles;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * How the test bed ({@code submit/cluster start --cpu/--memory/--link/--latency}) emulates one device on this
 * machine; each limit is optional, and a device with none is not emulated.
 *
 * @param cpuShare the share of one core the device's processes may use, e.g. 0.4
 * @param memoryBytes the memory limit of the device's processes together (its Worker, executors, and the
 *     driver on the first device)
 * @param linkMbit the rate of the device's link, each direction, in Mbit/s
 * @param latencyMs the delay added to each packet leaving the device and each packet arriving at it, in ms
 */
public record DeviceLimits(OptionalDouble cpuShare, OptionalLong memoryBytes, OptionalDouble linkMbit,
                           OptionalDouble latencyMs) {
    public static final DeviceLimits NONE =
            new DeviceLimits(OptionalDouble.empty(), OptionalLong.empty(), OptionalDouble.empty(), OptionalDouble.empty());

    public DeviceLimits {
        positive("CPU share", cpuShare);
        positive("link rate", linkMbit);
        positive("latency", latencyMs);
        if (memoryBytes.isPresent() && memoryBytes.getAsLong() <= 0) {
            throw new IllegalArgumentException("memory limit must be positive, got " + memoryBytes.getAsLong());
        }
    }

    /** Whether any limit is set: only then is a device emulated. */
    public boolean any() {
        return cpuShare.isPresent() || memoryBytes.isPresent() || linkMbit.isPresent() || latencyMs.isPresent();
    }

    /** These limits where set, else {@code defaults}' (command-line options over a profile's keys). */
    public DeviceLimits over(DeviceLimits defaults) {
        return new DeviceLimits(cpuShare.isPresent() ? cpuShare : defaults.cpuShare,
                memoryBytes.isPresent() ? memoryBytes : defaults.memoryBytes,
                linkMbit.isPresent() ? linkMbit : defaults.linkMbit,
                latencyMs.isPresent() ? latencyMs : defaults.latencyMs);
    }

    public DeviceLimits withCpuShare(double share) {
        return new DeviceLimits(OptionalDouble.of(share), memoryBytes, linkMbit, latencyMs);
    }

    public DeviceLimits withMemoryBytes(long bytes) {
        return new DeviceLimits(cpuShare, OptionalLong.of(bytes), linkMbit, latencyMs);
    }

    public DeviceLimits withLinkMbit(double mbit) {
        return new DeviceLimits(cpuShare, memoryBytes, OptionalDouble.of(mbit), latencyMs);
    }

    public DeviceLimits withLatencyMs(double ms) {
        return new DeviceLimits(cpuShare, memoryBytes, linkMbit, OptionalDouble.of(ms));
    }

    /** E.g. {@code cpu 0.4, memory 1024 MiB, link 50 Mbit/s, latency 0.3 ms}; unset limits say "unlimited". */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add("cpu " + (cpuShare.isPresent() ? number(cpuShare.getAsDouble()) + " core" : "unlimited"));
        parts.add("memory " + (memoryBytes.isPresent() ? (memoryBytes.getAsLong() >> 20) + " MiB" : "unlimited"));
        parts.add("link " + (linkMbit.isPresent() ? number(linkMbit.getAsDouble()) + " Mbit/s" : "unlimited"));
        parts.add("latency " + (latencyMs.isPresent() ? number(latencyMs.getAsDouble()) + " ms" : "none"));
        return String.join(", ", parts);
    }

    /** A number without trailing zeros: 0.4, 50, 0.25. */
    public static String number(double v) {
        String s = String.format(Locale.ROOT, "%.6f", v).replaceFirst("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static void positive(String what, OptionalDouble v) {
        if (v.isPresent() && !(v.getAsDouble() > 0 && Double.isFinite(v.getAsDouble()))) {
            throw new IllegalArgumentException(what + " must be a positive number, got " + v.getAsDouble());
        }
    }
}
