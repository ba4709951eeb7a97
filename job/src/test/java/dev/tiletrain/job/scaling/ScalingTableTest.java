package dev.tiletrain.job.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScalingTableTest {
    @TempDir
    Path dir;

    @Test
    void speedUpMemoryCutAndPredictionErrorAreMeasuredAgainstTheOneDeviceRun() throws IOException {
        // 1 device: 10 s per iteration after the warm-up (the first two rows are slower and left out).
        sparkRun("01", "spark", 1, new double[] {30, 20, 10, 11, 9}, new double[] {900}, 10.5);
        // 2 devices: 5 s, device 1 at 450 MiB, device 2 at 300 MiB.
        sparkRun("02", "spark", 2, new double[] {30, 20, 5, 5, 5}, new double[] {450, 300}, 4.0);
        // The same 2 devices on an --insecure cluster: measured against the secured 1-device run, not a base.
        sparkRun("04", "spark-insecure", 2, new double[] {30, 20, 4, 4, 4}, new double[] {450, 300}, 4.0);
        write("03", "in-process", 1, "iteration,wall_ms,local_peak_mb\n1,9000,700\n2,8000,700\n3,7000,600\n4,7000,650\n");

        List<Path> written = ScalingTable.read(dir).write(dir.resolve("out"));

        String md = Files.readString(dir.resolve("out/scaling.md"));
        assertTrue(md.contains("| 2 | spark | 5.00 | 2.00× | 450 / 300 | 2.00× |"), md);
        assertTrue(md.contains("| 4.00 (-20%) |"), md);
        assertTrue(md.contains("| 1 | in-process | 7.00 | 1.43× | 650 / - |"), md);
        assertTrue(md.contains("| 2 | spark-insecure | 4.00 | 2.50× | 450 / 300 |"), md);
        List<String> csv = Files.readAllLines(dir.resolve("out/scaling.csv"));
        assertEquals(5, csv.size());
        assertTrue(written.contains(dir.resolve("out/scaling-1.png")));
        assertTrue(Files.size(dir.resolve("out/scaling-1.png")) > 0);
    }

    @Test
    void aDirectoryWithoutRunsIsAnErrorThatSaysWhatARunIs() {
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ScalingTable.read(dir));
        assertTrue(e.getMessage().contains("row.properties"), e.getMessage());
    }

    private void sparkRun(String name, String engine, int devices, double[] seconds, double[] peaks, double predictedSeconds)
            throws IOException {
        StringBuilder csv = new StringBuilder("iteration,seconds,spark_overhead_ms");
        for (int d = 1; d <= devices; d++) {
            csv.append(",device-").append(d).append("_link_bytes,device-").append(d).append("_peak_mb");
        }
        csv.append('\n');
        for (int i = 0; i < seconds.length; i++) {
            csv.append(i + 1).append(',').append(seconds[i]).append(',').append(seconds[i] * 250);
            for (int d = 0; d < devices; d++) {
                csv.append(',').append(2_000_000).append(',').append(peaks[d]);
            }
            csv.append('\n');
        }
        Path run = write(name, engine, devices, csv.toString());
        Files.writeString(run.resolve("app-1-prediction.properties"), "iteration.seconds=" + predictedSeconds
                + "\ndevice.0.link.bytes=2500000\n");
    }

    private Path write(String name, String engine, int devices, String csv) throws IOException {
        Path run = Files.createDirectories(dir.resolve(name));
        Files.writeString(run.resolve("row.properties"), "model=m\nsize=416\nbatch=8\nsubdivisions=2\ndevices=" + devices
                + "\ngrid=1x" + devices + "\ngrouping=L0-" + (devices * 4) + "\nlink=478mbit\ncpu=0.4\nmemory=4g\nbn=sync\ngroups=auto\nengine=" + engine + "\n");
        Files.writeString(run.resolve("app-1-iterations.csv"), csv);
        return run;
    }
}
