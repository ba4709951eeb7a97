package dev.tiletrain.job.scaling;

import dev.tiletrain.job.cluster.LoopbackClusterExtension;
import dev.tiletrain.tiles.DeviceProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Run directories as {@code submit/scaling} leaves them, of {@code conf/tiny-test.cfg} at 64×64, for the tests. */
final class ScalingRuns {
    static final Path CFG_DIR = LoopbackClusterExtension.moduleDir().resolve("../conf").normalize();

    private ScalingRuns() {}

    /** A profile of round rates: 10 GFLOP/s, 1 GB/s, 100 Mbit/s, 200 ms a stage, 900 a pass, 5 a MB, 1 core. */
    static DeviceProfile profile() {
        Properties p = new Properties();
        p.putAll(java.util.Map.of("name", "test", "conv.gflops.1", "10", "conv.gflops.2", "10", "conv.gflops.4", "10",
                "memory.gbps", "1", "memory.mb", "1000", "link.mbps", "100", "link.latency.ms", "0.1",
                "stage.overhead.ms", "200", "spark.mb.ms", "5"));
        p.put("driver.share", "0");
        p.put("cores", "1");
        p.put("pass.overhead.ms", "900");
        return DeviceProfile.parse(p, "test");
    }

    /** A run of tiny-test.cfg, batch 8 in 2 passes, layers {@code grouping} (like {@code L0-1 L2-3}) tiled. */
    static Path write(Path dir, String name, String engine, int devices, String grid, String grouping, String link,
            String csv) throws IOException {
        return write(dir, name, engine, devices, grid, grouping, link, 2, csv);
    }

    /** The same in {@code passes} passes. */
    static Path write(Path dir, String name, String engine, int devices, String grid, String grouping, String link,
            int passes, String csv) throws IOException {
        Path run = Files.createDirectories(dir.resolve(name));
        Files.writeString(run.resolve("row.properties"), "model=tiny-test\nsize=64\nbatch=8\nsubdivisions=" + passes
                + "\ndevices=" + devices + "\ngrid=" + grid + "\ngrouping=" + grouping + "\nlink=" + link
                + "\ncpu=0.4\nmemory=4g\nbn=sync\ngroups=auto\nengine=" + engine + "\n");
        Files.writeString(run.resolve("app-1-iterations.csv"), csv);
        return run;
    }

    /** An iterations CSV of a Spark run: seconds per iteration, 25 % of it Spark's, per device link bytes and peak. */
    static String sparkCsv(double[] seconds, double[] peaks) {
        return sparkCsv(seconds, peaks, Double.NaN);
    }

    /** The same with {@code tailShare} of each iteration in the driver's untiled tail (no such column when NaN). */
    static String sparkCsv(double[] seconds, double[] peaks, double tailShare) {
        boolean tail = !Double.isNaN(tailShare);
        StringBuilder csv = new StringBuilder("iteration,seconds,spark_overhead_ms" + (tail ? ",tail_seconds" : ""));
        for (int d = 1; d <= peaks.length; d++) {
            csv.append(",device-").append(d).append("_link_bytes,device-").append(d).append("_peak_mb");
        }
        csv.append('\n');
        for (int i = 0; i < seconds.length; i++) {
            csv.append(i + 1).append(',').append(seconds[i]).append(',').append(seconds[i] * 250);
            if (tail) {
                csv.append(',').append(seconds[i] * tailShare);
            }
            for (double peak : peaks) {
                csv.append(',').append(2_000_000).append(',').append(peak);
            }
            csv.append('\n');
        }
        return csv.toString();
    }
}
