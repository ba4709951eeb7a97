package dev.tiletrain.job.cluster;

import dev.tiletrain.tiles.DeviceLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.network.util.JavaUtils;

/**
 * The shape of a cluster on this machine: N Workers of C cores and M memory each (a Worker stands in for one
 * device) and the ports; with {@link DeviceLimits}, each Worker is an emulated device of a {@link TestBed}.
 * Port 0 lets the daemon pick a free port.
 *
 * @param host the Master's address: loopback, or on an emulated cluster the test bed's bridge (known once it
 *     is made)
 * @param memory a Spark size string ({@code 1g}, {@code 768m}), the memory each Worker offers executors
 *     ({@code --worker-memory}); an emulated device with a memory limit offers its limit unless told otherwise
 * @param workerWebUiBase the first Worker's UI port, the next Worker's is one more; 0 for free ports
 * @param limits the emulated devices' limits; {@link DeviceLimits#NONE}: the plain loopback cluster
 * @param profile the device profile the limits came from, if any (the job plans with it by default)
 * @param secured whether daemons, drivers and executors authenticate with a shared secret and encrypt what
 *     they send and spill ({@link ClusterSecurity}); off only when asked for ({@code --insecure})
 */
public record ClusterSpec(String host, int workers, int cores, String memory, int masterPort, int webUiPort,
        int workerWebUiBase, DeviceLimits limits, Optional<String> profile, boolean secured) {
    public static final String LOOPBACK = "127.0.0.1";
    /** The kernel's longest CPU period, 1 s, holds its shortest quota, 1 ms, a thousand times. */
    static final double MIN_CPU_SHARE = 0.001;
    /** Less does not hold even an idle Worker (~110 MiB resident). */
    static final long MIN_DEVICE_MEMORY_MB = 128;

    /** One core and 1 GiB per Worker (the budget of one Raspberry Pi 3 core, scaled to this machine), secured. */
    public static ClusterSpec defaults() {
        return new ClusterSpec(LOOPBACK, 2, 1, "1g", 7077, 8080, 8081, DeviceLimits.NONE, Optional.empty(), true);
    }

    /** A port of the cluster that must be free before it starts, and the option that moves it. */
    public record FixedPort(int port, String what, String option) {}

    public ClusterSpec {
        if (workers < 1) {
            throw new ClusterException("--workers must be at least 1, got " + workers);
        }
        if (cores < 1) {
            throw new ClusterException("--cores must be at least 1, got " + cores);
        }
        memoryMb("--worker-memory", memory);
        if (limits.cpuShare().isPresent() && limits.cpuShare().getAsDouble() < MIN_CPU_SHARE) {
            throw new ClusterException("--cpu " + DeviceLimits.number(limits.cpuShare().getAsDouble()) + " is below "
                    + MIN_CPU_SHARE + " of a core, the least the kernel's CPU quota can give");
        }
        if (limits.memoryBytes().isPresent() && limits.memoryBytes().getAsLong() < MIN_DEVICE_MEMORY_MB << 20) {
            throw new ClusterException("--memory " + (limits.memoryBytes().getAsLong() >> 20) + " MiB is below "
                    + MIN_DEVICE_MEMORY_MB + " MiB, which does not hold even an idle Worker");
        }
        for (int port : new int[] {masterPort, webUiPort, workerWebUiBase}) {
            if (port < 0 || port > 65535) {
                throw new ClusterException("port " + port + " is out of range 0..65535");
            }
        }
        if (masterPort == 0 || webUiPort == 0) {
            // Both must be known up front: the Workers connect to the first, start waits on the second.
            throw new ClusterException("the master's ports must be fixed, got --master-port " + masterPort
                    + " --webui-port " + webUiPort);
        }
    }

    public ClusterSpec withHost(String h) {
        return new ClusterSpec(h, workers, cores, memory, masterPort, webUiPort, workerWebUiBase, limits, profile, secured);
    }

    public ClusterSpec withWorkers(int n) {
        return new ClusterSpec(host, n, cores, memory, masterPort, webUiPort, workerWebUiBase, limits, profile, secured);
    }

    public ClusterSpec withCores(int c) {
        return new ClusterSpec(host, workers, c, memory, masterPort, webUiPort, workerWebUiBase, limits, profile, secured);
    }

    public ClusterSpec withMemory(String m) {
        return new ClusterSpec(host, workers, cores, m, masterPort, webUiPort, workerWebUiBase, limits, profile, secured);
    }

    public ClusterSpec withMasterPort(int p) {
        return new ClusterSpec(host, workers, cores, memory, p, webUiPort, workerWebUiBase, limits, profile, secured);
    }

    /** The master's UI on {@code p}, the Workers' UIs on the ports after it, as Spark's own scripts do. */
    public ClusterSpec withWebUiPort(int p) {
        return new ClusterSpec(host, workers, cores, memory, masterPort, p, p + 1, limits, profile, secured);
    }

    public ClusterSpec withWorkerWebUiBase(int p) {
        return new ClusterSpec(host, workers, cores, memory, masterPort, webUiPort, p, limits, profile, secured);
    }

    /**
     * Emulated devices under these limits (any set), from {@code profile} if named. A memory limit is also
     * what each Worker offers executors: the cgroup, not Spark's bookkeeping, is the device's real bound.
     */
    public ClusterSpec withLimits(DeviceLimits l, Optional<String> p) {
        String offer = l.memoryBytes().isPresent() ? (l.memoryBytes().getAsLong() >> 20) + "m" : memory;
        return new ClusterSpec(host, workers, cores, offer, masterPort, webUiPort, workerWebUiBase, l, p, secured);
    }

    public ClusterSpec withSecured(boolean s) {
        return new ClusterSpec(host, workers, cores, memory, masterPort, webUiPort, workerWebUiBase, limits, profile, s);
    }

    /** Whether the Workers are emulated devices. */
    public boolean emulated() {
        return limits.any();
    }

    public String masterUrl() {
        return "spark://" + host + ":" + masterPort;
    }

    public String masterWebUi() {
        return "http://" + host + ":" + webUiPort;
    }

    /** The UI port of Worker {@code i} (1-based), 0 for a free one. */
    public int workerWebUiPort(int i) {
        return workerWebUiBase == 0 ? 0 : workerWebUiBase + i - 1;
    }

    /** The ports on {@link #host}; an emulated device's Worker binds in its own namespace, where all are free. */
    public List<FixedPort> fixedPorts() {
        List<FixedPort> ports = new ArrayList<>();
        ports.add(new FixedPort(masterPort, "the master's RPC port", "--master-port"));
        ports.add(new FixedPort(webUiPort, "the master's web UI", "--webui-port"));
        for (int i = 1; i <= workers && workerWebUiBase != 0 && !emulated(); i++) {
            ports.add(new FixedPort(workerWebUiPort(i), "worker-" + i + "'s web UI", "--webui-port"));
        }
        return ports;
    }

    /** A size given to {@code option}, in MiB. */
    static long memoryMb(String option, String size) {
        long mb;
        try {
            mb = JavaUtils.byteStringAsMb(size);
        } catch (RuntimeException e) {
            throw new ClusterException(option + " " + size + " is not a size like 1g or 768m");
        }
        if (mb < 1) {
            throw new ClusterException(option + " " + size + " is less than 1 MiB");
        }
        return mb;
    }
}
