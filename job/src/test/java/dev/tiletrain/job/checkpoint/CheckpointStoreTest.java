package dev.tiletrain.job.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints on the local Hadoop FileSystem, including a JVM that dies in the middle of writing one. */
class CheckpointStoreTest {
    @TempDir
    Path dir;

    static byte[] payload(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Map<String, PartWriter> parts(long iteration) {
        Map<String, PartWriter> parts = new LinkedHashMap<>();
        parts.put("weights", PartWriter.of(payload(iteration, 300_000)));
        parts.put("optimizer", PartWriter.of(payload(iteration + 1000, 1234)));
        parts.put("position", out -> new DataOutputStream(out).writeLong(iteration * 64));
        return parts;
    }

    private CheckpointStore store() throws IOException {
        return CheckpointStore.at(dir.toUri().toString(), new Configuration());
    }

    private CheckpointStore storeWith(long... iterations) throws IOException {
        CheckpointStore store = store();
        for (long n : iterations) {
            store.write(n, parts(n));
        }
        return store;
    }

    @Test
    void writesAndReadsBackEveryPart() throws IOException {
        CheckpointStore store = store();
        assertTrue(store.newest().isEmpty());
        store.write(100, parts(100));
        Checkpoint c = store.newest().orElseThrow();
        assertEquals(100, c.iteration());
        assertEquals(Set.of("weights", "optimizer", "position"), c.parts());
        assertArrayEquals(payload(100, 300_000), c.read("weights"));
        assertArrayEquals(payload(1100, 1234), c.read("optimizer"));
        assertEquals(6400, java.nio.ByteBuffer.wrap(c.read("position")).getLong());
        assertThrows(IOException.class, () -> c.read("gradients"));
    }

    @Test
    void theNewestCompleteCheckpointWins() throws IOException {
        CheckpointStore store = storeWith(100, 20, 300);
        assertEquals(List.of(20L, 100L, 300L), store.iterations());
        assertEquals(300, store.newest().orElseThrow().iteration());
        assertArrayEquals(payload(20, 300_000), store.read(20).read("weights"));
    }

    @Test
    void anIterationIsNeverOverwritten() throws IOException {
        CheckpointStore store = storeWith(5);
        IOException e = assertThrows(IOException.class, () -> store.write(5, parts(6)));
        assertTrue(e.getMessage().contains("exists already"), e.getMessage());
        assertArrayEquals(payload(5, 300_000), store.read(5).read("weights"));
    }

    @Test
    void partNamesAreChecked() throws IOException {
        CheckpointStore store = store();
        assertThrows(IllegalArgumentException.class, () -> store.write(1, Map.of("MANIFEST", PartWriter.of(new byte[1]))));
        assertThrows(IllegalArgumentException.class, () -> store.write(1, Map.of("../x", PartWriter.of(new byte[1]))));
        assertThrows(IllegalArgumentException.class, () -> store.write(1, Map.of()));
    }

    /**
     * A JVM halts inside a part's writer of iteration 200 (no finally block, no shutdown hook runs): the
     * newest checkpoint is still 100, intact; the next write of 200 clears the leftover and succeeds.
     */
    @Test
    void aCrashMidWriteLeavesThePreviousCheckpointNewest() throws Exception {
        storeWith(100);
        Process crash = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingCheckpointWrite.class.getName(),
                dir.toUri().toString(), "200").redirectErrorStream(true).start();
        String output = new String(crash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(crash.waitFor(60, TimeUnit.SECONDS), "the crashing writer did not end");
        assertEquals(CrashingCheckpointWrite.EXIT_CODE, crash.exitValue(), output);

        Path leftover = dir.resolve("_writing-iter-00000200");
        assertTrue(Files.isDirectory(leftover), "the crash happened mid-write");
        assertTrue(Files.size(leftover.resolve("weights")) > 0, "part of the weights reached the disk");
        CheckpointStore store = store();
        assertEquals(List.of(100L), store.iterations());
        Checkpoint newest = store.newest().orElseThrow();
        assertEquals(100, newest.iteration());
        assertArrayEquals(payload(100, 300_000), newest.read("weights"));

        store.write(200, parts(200));
        assertFalse(Files.exists(leftover));
        assertEquals(200, store.newest().orElseThrow().iteration());
    }

    /** What a non-atomic rename or a lost file could leave: a final name without a complete content. */
    @Test
    void aFinalDirectoryWithoutItsManifestOrWithAShortPartIsSkipped() throws IOException {
        CheckpointStore store = storeWith(1, 2, 3);
        Files.delete(dir.resolve("iter-00000003").resolve(CheckpointStore.MANIFEST));
        truncate(dir.resolve("iter-00000002").resolve("weights"), 1000);
        assertEquals(List.of(1L), store.iterations());
        assertEquals(1, store.newest().orElseThrow().iteration());
        assertThrows(IOException.class, () -> store.read(3));
    }

    @Test
    void aCorruptPartIsRefusedOnReading() throws IOException {
        CheckpointStore store = storeWith(7);
        Path weights = dir.resolve("iter-00000007").resolve("weights");
        try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
            f.seek(12345);
            int b = f.read();
            f.seek(12345);
            f.write(b ^ 0x40);
        }
        Files.deleteIfExists(dir.resolve("iter-00000007").resolve(".weights.crc")); // Hadoop's own checksum
        IOException e = assertThrows(IOException.class, () -> store.newest().orElseThrow().read("weights"));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
        Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    }
}
