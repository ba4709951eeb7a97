package dev.tiletrain.job.cluster;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.network.util.JavaUtils;

/**
 * The shape of a loopback cluster: N Workers of C cores and M memory each (a Worker stands in for one
 * device) and the ports. Port 0 lets the daemon pick a free port.
 *
 * @param memory a Spark size string ({@code 1g}, {@code 768m}), the memory each Worker offers executors
 * @param workerWebUiBase the first Worker's UI port, the next Worker's is one more; 0 for free ports
 */
public record ClusterSpec(
        String host, int workers, int cores, String memory, int masterPort, int webUiPort, int workerWebUiBase) {
    public static final String LOOPBACK = "127.0.0.1";

    /** One core and 1 GiB per Worker: the budget of one Raspberry Pi 3 core, scaled to this machine. */
    public static ClusterSpec defaults() {
        return new ClusterSpec(LOOPBACK, 2, 1, "1g", 7077, 8080, 8081);
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
        memoryMb(memory);
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

    public ClusterSpec withWorkers(int n) {
        return new ClusterSpec(host, n, cores, memory, masterPort, webUiPort, workerWebUiBase);
    }

    public ClusterSpec withCores(int c) {
        return new ClusterSpec(host, workers, c, memory, masterPort, webUiPort, workerWebUiBase);
    }

    public ClusterSpec withMemory(String m) {
        return new ClusterSpec(host, workers, cores, m, masterPort, webUiPort, workerWebUiBase);
    }

    public ClusterSpec withMasterPort(int p) {
        return new ClusterSpec(host, workers, cores, memory, p, webUiPort, workerWebUiBase);
    }

    /** The master's UI on {@code p}, the Workers' UIs on the ports after it, as Spark's own scripts do. */
    public ClusterSpec withWebUiPort(int p) {
        return new ClusterSpec(host, workers, cores, memory, masterPort, p, p + 1);
    }

    public ClusterSpec withWorkerWebUiBase(int p) {
        return new ClusterSpec(host, workers, cores, memory, masterPort, webUiPort, p);
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

    public List<FixedPort> fixedPorts() {
        List<FixedPort> ports = new ArrayList<>();
        ports.add(new FixedPort(masterPort, "the master's RPC port", "--master-port"));
        ports.add(new FixedPort(webUiPort, "the master's web UI", "--webui-port"));
        for (int i = 1; i <= workers && workerWebUiBase != 0; i++) {
            ports.add(new FixedPort(workerWebUiPort(i), "worker-" + i + "'s web UI", "--webui-port"));
        }
        return ports;
    }

    static long memoryMb(String size) {
        long mb;
        try {
            mb = JavaUtils.byteStringAsMb(size);
        } catch (RuntimeException e) {
            throw new ClusterException("--memory " + size + " is not a size like 1g or 768m");
        }
        if (mb < 1) {
            throw new ClusterException("--memory " + size + " is less than 1 MiB");
        }
        return mb;
    }
}
