package dev.tiletrain.job.train;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.status.api.v1.ExecutorSummary;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Releases the executors of the driver's device when the plan has fewer tiles than the other devices have
 * executors: there is no server, so the driver runs on a device, and its scheduling, listeners and the untiled
 * tail take a large share of that device's CPU, while every stage waits for its slowest tile. Measured on the
 * test bed (YOLOv2 layers 0–15 at 416², batch 8 in 2 passes, 4 devices at 0.4 of a core, 2026-12-06, medians of
 * three alternated runs): 3×1 tiles on the three other devices, this device's executor released, 18.5 s per
 * iteration; 2×2 tiles, one beside the driver, 21.9 s; 3×1 tiles with an idle executor left on the driver's
 * device 24.5 s (one run: it still answers every block removal and heartbeat from the busiest device). A
 * standalone master lowers the application's executor limit with the kill, so it starts no replacement; if a
 * tile's executor is lost later, the master may start one on the driver's device again, and training goes on.
 */
final class DriverDeviceRelease {
    /** An executor and the host it runs on. */
    record Executor(String id, String host) {}

    /** The released executors' ids, and whether the driver's device now runs no tile (no executor left there). */
    record Outcome(List<String> released, boolean driverDeviceFree) {}

    private DriverDeviceRelease() {}

    /** Releases what {@link #choose} picks among {@code sc}'s executors. */
    static Outcome release(SparkContext sc, int tiles) {
        List<Executor> executors = new ArrayList<>();
        for (ExecutorSummary e : CollectionConverters.asJava(sc.statusStore().executorList(true))) {
            if (!e.id().equals("driver")) {
                executors.add(new Executor(e.id(), e.hostPort().substring(0, e.hostPort().lastIndexOf(':'))));
            }
        }
        String driverHost = sc.getConf().get("spark.driver.host", "");
        List<String> ids = choose(tiles, driverHost, executors);
        if (!ids.isEmpty() && !sc.killExecutors(CollectionConverters.asScala(ids).toList())) {
            ids = List.of();
        }
        return new Outcome(ids, driverDeviceFree(driverHost, executors, ids));
    }

    /**
     * Whether every executor on {@code driverHost} is among {@code released}: also when none ran there (a driver
     * on a device of its own); never on a loopback cluster, where every executor shares the driver's host, nor
     * without executors (a local master, whose tasks run in the driver's JVM).
     */
    static boolean driverDeviceFree(String driverHost, List<Executor> executors, List<String> released) {
        return !executors.isEmpty()
                && executors.stream().filter(e -> e.host().equals(driverHost)).allMatch(e -> released.contains(e.id()));
    }

    /**
     * The executors on {@code driverHost} when the executors on other hosts are at least {@code tiles}; none
     * otherwise (every executor is needed, or all share the driver's host, as on a loopback cluster).
     */
    static List<String> choose(int tiles, String driverHost, List<Executor> executors) {
        List<String> beside = executors.stream().filter(e -> e.host().equals(driverHost)).map(Executor::id).toList();
        return executors.size() - beside.size() >= tiles ? beside : List.of();
    }
}
