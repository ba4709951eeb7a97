package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Another JVM, started fresh, computes the same augmented batches and truths bit for bit. */
class ForkedJvmDeterminismTest {
    @TempDir
    java.nio.file.Path dir;

    @Test
    void anotherJvmComputesTheSameBatches() throws Exception {
        SampleDataset.write(dir);
        Path data = new Path(dir.resolve(SampleDataset.DATA).toUri());
        String here = BatchDigest.of(data, 17);
        assertNotEquals(here, BatchDigest.of(data, 18), "the digest depends on the seed");

        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                BatchDigest.class.getName(), data.toString(), "17")).redirectErrorStream(true).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(done, "forked JVM did not finish: " + output);
        assertEquals(0, p.exitValue(), output);
        String[] lines = output.strip().split("\n");
        assertEquals(here, lines[lines.length - 1].strip(), output);
    }
}
