package dev.tiletrain.tiles.cli;

import dev.tiletrain.tiles.ConfFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.tiles.DeviceProfile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tiletrain profile} end to end on the tiny test net (one child JVM, one thread): the file it writes
 * loads as a profile, holds the given options and says where each number comes from.
 */
class ProfileCommandTest {
    @Test
    void writesALoadableProfileWithTheGivenOptions(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("p.properties");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
        int code = ProfileCommand.run(new String[] {"--cfg", ConfFiles.of("tiny-test.cfg").toString(), "--input", "32", "--repeats", "1",
                "--cores", "1", "--clock", "cpu", "--out", out.toString(), "--name", "tiny", "--link-mbps", "94", "--stage-overhead-ms", "300"},
                new PrintStream(stdout), new PrintStream(stderr));
        assertEquals(0, code, stderr.toString());
        DeviceProfile p = DeviceProfile.load(out);
        assertEquals("tiny", p.name());
        assertEquals(94, p.linkMbps());
        assertEquals(300, p.stageOverheadMs());
        assertEquals(600L << 20, p.memoryBytes(), "the documented default");
        assertEquals(1, p.cores());
        assertTrue(p.convGflops(1) > 0 && p.memoryGBps() > 0);
        assertEquals(p.convGflops(1), p.convGflops(4), "one core: the 1-thread rate stands for 2 and 4 threads");
        String text = Files.readString(out, StandardCharsets.UTF_8).replace("\n# ", " "); // comments unwrapped
        assertTrue(text.contains("Not measured: 1 core(s) here, so the 1-thread rate."), text);
        assertTrue(text.contains("Given: --link-mbps 94."), text);
        assertTrue(text.contains(" Measured: convolution training GFLOP/s"), text);
        assertTrue(text.contains("by the process's CPU time per thread, averaged over 1 repeats"), text);
    }

    @Test
    void aBadOptionIsAUsageError() {
        String err = usageError("--link-mbps", "fast");
        assertTrue(err.startsWith("profile: --link-mbps must be a positive number, got 'fast'"), err);
    }

    @Test
    void anUnknownClockIsAUsageError() {
        String err = usageError("--clock", "sundial");
        assertTrue(err.startsWith("profile: --clock must be wall or cpu, got 'sundial'"), err);
    }

    @Test
    void aMissingCfgIsNamed() {
        String err = usageError("--cfg", "no/such.cfg");
        assertTrue(err.startsWith("profile: --cfg no/such.cfg is not a readable file"), err);
    }

    /** Runs the command, expects exit code 2, and returns what it printed on stderr. */
    private static String usageError(String... args) {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        assertEquals(2, ProfileCommand.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(stderr)));
        return stderr.toString();
    }
}
