package dev.tiletrain.tiles;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoublePredicate;

/**
 * What the cost model knows of one device: sustained convolution GFLOP/s at 1, 2 and 4 threads, memory
 * bandwidth for the memory-bound layers (batch norm, activations, pools, copies), the memory a training
 * executor can give to tensors, its link, Spark's overhead on it per stage and per pass (the forward and
 * backward jobs and the hand-offs of the tail), and what its CPU spends to move a megabyte of tensors through
 * Spark (serialise, encrypt, copy, deserialise) beside the link's own time, and the share of its CPU that the
 * driver takes on the device that runs it. Read from a properties file in {@code conf/profiles/}.
 *
 * @param testBed how {@code submit/cluster start --profile NAME} emulates the device, from the optional
 *     {@code testbed.*} keys ({@link DeviceLimits#NONE} without them); the cost model does not read it
 */
public record DeviceProfile(String name, double[] convGflops, double memoryGBps, long memoryBytes,
                            double linkMbps, double linkLatencyMs, double stageOverheadMs, double passOverheadMs,
                            double sparkMbMs, double driverShare, int cores, DeviceLimits testBed) {
    private static final String CPU_SHARE = "testbed.cpu";
    private static final String MEMORY_MB = "testbed.memory.mb";
    private static final String LINK_MBIT = "testbed.link.mbit";
    private static final String LATENCY_MS = "testbed.latency.ms";
    private static final Set<String> KEYS = Set.of("name", "conv.gflops.1", "conv.gflops.2", "conv.gflops.4",
            "memory.gbps", "memory.mb", "link.mbps", "link.latency.ms", "stage.overhead.ms", "pass.overhead.ms",
            "spark.mb.ms", "driver.share", "cores", CPU_SHARE, MEMORY_MB, LINK_MBIT, LATENCY_MS);

    /** Sustained convolution GFLOP/s with {@code threads} threads (1, 2 or 4; more uses the 4-thread rate). */
    public double convGflops(int threads) {
        return convGflops[threads >= 4 ? 2 : threads >= 2 ? 1 : 0];
    }

    /**
     * This profile with other rates, a fitted candidate's. The 2- and 4-thread convolution rates keep their
     * ratio to the 1-thread rate.
     */
    public DeviceProfile with(double convGflops1, double stageOverheadMs, double passOverheadMs, double sparkMbMs) {
        double scale = convGflops1 / convGflops[0];
        return new DeviceProfile(name, new double[] {convGflops1, scale * convGflops[1], scale * convGflops[2]},
                memoryGBps, memoryBytes, linkMbps, linkLatencyMs, stageOverheadMs, passOverheadMs, sparkMbMs, driverShare,
                cores, testBed);
    }

    /** This profile with another link rate (a run's). */
    public DeviceProfile withLink(double linkMbps) {
        return new DeviceProfile(name, convGflops, memoryGBps, memoryBytes, linkMbps, linkLatencyMs, stageOverheadMs,
                passOverheadMs, sparkMbMs, driverShare, cores, testBed);
    }

    public static DeviceProfile load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read device profile " + file + ": " + e.getMessage(), e);
        }
        return parse(p, file.toString());
    }

    public static DeviceProfile parse(Properties p, String source) {
        Set<String> unknown = new TreeSet<>(p.stringPropertyNames());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(source + ": unknown keys " + unknown + "; known: " + new TreeSet<>(KEYS));
        }
        double g1 = number(p, "conv.gflops.1", source);
        return new DeviceProfile(p.getProperty("name", source),
                new double[] {g1, number(p, "conv.gflops.2", source), number(p, "conv.gflops.4", source)},
                number(p, "memory.gbps", source), (long) (number(p, "memory.mb", source) * 1024 * 1024),
                number(p, "link.mbps", source), number(p, "link.latency.ms", source),
                number(p, "stage.overhead.ms", source), number(p, "pass.overhead.ms", source),
                number(p, "spark.mb.ms", source), share(p, "driver.share", source), (int) number(p, "cores", source),
                testBed(p, source));
    }

    private static DeviceLimits testBed(Properties p, String source) {
        DeviceLimits limits = DeviceLimits.NONE;
        if (p.containsKey(CPU_SHARE)) {
            limits = limits.withCpuShare(number(p, CPU_SHARE, source));
        }
        if (p.containsKey(MEMORY_MB)) {
            limits = limits.withMemoryBytes((long) (number(p, MEMORY_MB, source) * 1024 * 1024));
        }
        if (p.containsKey(LINK_MBIT)) {
            limits = limits.withLinkMbit(number(p, LINK_MBIT, source));
        }
        if (p.containsKey(LATENCY_MS)) {
            limits = limits.withLatencyMs(number(p, LATENCY_MS, source));
        }
        return limits;
    }

    /** A share of a device's CPU: a number in [0, 1). */
    private static double share(Properties p, String key, String source) {
        return parsed(p, key, source, d -> d >= 0 && d < 1, "a number in [0, 1)");
    }

    private static double number(Properties p, String key, String source) {
        return parsed(p, key, source, d -> d > 0, "a positive number");
    }

    private static double parsed(Properties p, String key, String source, DoublePredicate valid, String what) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException(source + ": missing key '" + key + "'");
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!valid.test(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": key '" + key + "': '" + v + "' is not " + what);
        }
    }
}
