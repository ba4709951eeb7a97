package dev.tiletrain.job.cluster;

import java.nio.file.Path;

/**
 * Where a loopback cluster keeps its files: {@code pids/}, {@code logs/}, the Workers' {@code work/}
 * directories (each executor's stdout and stderr), the event logs in {@code events/},
 * {@code cluster.properties} with the URLs of the running cluster, and a secured cluster's {@code secret}.
 */
public record ClusterLayout(Path root) {
    public ClusterLayout {
        root = root.toAbsolutePath().normalize();
    }

    public Path pids() {
        return root.resolve("pids");
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path work(String worker) {
        return root.resolve("work").resolve(worker);
    }

    /** Drivers write event logs here ({@code spark.eventLog.dir}); the history server reads them. */
    public Path events() {
        return root.resolve("events");
    }

    /**
     * {@code key=value} lines (master.url, master.webui, events.dir, history.webui and, of a secured cluster,
     * secret and driver.conf) for scripts to read.
     */
    public Path stateFile() {
        return root.resolve("cluster.properties");
    }

    /** A secured cluster's shared secret ({@link SecretFile}). */
    public Path secret() {
        return root.resolve("secret");
    }

    public Path pidFile(String daemon) {
        return pids().resolve(daemon + ".pid");
    }

    public Path log(String daemon) {
        return logs().resolve(daemon + ".log");
    }
}
