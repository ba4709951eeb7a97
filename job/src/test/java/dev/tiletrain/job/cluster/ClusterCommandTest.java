package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's answers where no cluster needs to start (the cluster itself: LoopbackClusterTest). */
class ClusterCommandTest {
    private static final Path PROFILES = LoopbackClusterExtension.moduleDir().resolve("../conf/profiles").normalize();

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        List<String> argv = new ArrayList<>(List.of("--dir", dir.toString(), "--spark-home",
                LoopbackClusterExtension.sparkHome().dir().toString()));
        argv.addAll(List.of(args));
        return new ClusterCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(argv.toArray(String[]::new));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutACommandItPrintsUsage() {
        assertEquals(2, run());
        assertTrue(err().contains("usage: submit/cluster start"), err());
    }

    @Test
    void badCommandsAndOptionsAreUsageErrors() {
        assertEquals(2, run("restart"));
        assertTrue(err().contains("unknown command restart"), err());
        assertEquals(2, run("start", "--workers", "two"));
        assertTrue(err().contains("--workers two is not a whole number"), err());
        assertEquals(2, run("start", "--colour", "red"));
        assertTrue(err().contains("unknown argument(s) --colour red"), err());
        assertEquals(2, run("start", "--memory"));
        assertTrue(err().contains("--memory needs a value"), err());
    }

    @Test
    void impossibleClusterShapesFailBeforeAnythingStarts() {
        assertEquals(1, run("start", "--workers", "0"));
        assertTrue(err().contains("--workers must be at least 1"), err());
        assertEquals(1, run("start", "--worker-memory", "lots"));
        assertTrue(err().contains("--worker-memory lots is not a size like 1g"), err());
        assertEquals(1, run("start", "--memory", "lots"));
        assertTrue(err().contains("--memory lots is not a size like 1g"), err());
        assertFalse(Files.exists(dir.resolve("pids")));
    }

    /** Bad limits are refused before the machine is even checked for a test bed, so nothing is made. */
    @Test
    void badDeviceLimitsFailBeforeAnythingStarts() {
        assertEquals(1, run("start", "--link", "50mbps"));
        assertTrue(err().contains("--link 50mbps is not a rate like 50mbit"), err());
        assertEquals(1, run("start", "--cpu", "0.0001"));
        assertTrue(err().contains("--cpu 0.0001 is below 0.001 of a core"), err());
        assertEquals(1, run("start", "--memory", "64m"));
        assertTrue(err().contains("--memory 64 MiB is below 128 MiB"), err());
        assertEquals(1, run("--profiles", PROFILES.toString(), "start", "--profile", "pi3"));
        assertTrue(err().contains("--profile pi3: " + PROFILES.resolve("pi3.properties") + " has none of the keys testbed.cpu"), err());
        assertFalse(Files.exists(dir.resolve("pids")));
        assertFalse(Files.exists(dir.resolve("testbed.properties")));
    }

    @Test
    void enteringADeviceNeedsATestBed() {
        assertEquals(1, run("enter-command", "1"));
        assertTrue(err().contains("no test bed under " + dir), err());
        assertEquals(2, run("enter-command"));
        assertTrue(err().contains("enter-command needs one device number"), err());
    }

    @Test
    void stoppingWhatDoesNotRunSaysSoAndSucceeds() {
        assertEquals(0, run("stop"));
        assertEquals(0, run("stop"));
        assertTrue(out().contains("nothing to stop: no cluster runs"), out());
    }

    @Test
    void statusOfNothingExitsThree() {
        assertEquals(3, run("status"));
        assertTrue(out().contains("not running"), out());
    }

    @Test
    void aPortInUseIsNamedWithTheOptionThatMovesIt() throws IOException {
        int[] ports = LoopbackClusterExtension.freePorts(2);
        try (ServerSocket busy = new ServerSocket(ports[0], 1, InetAddress.getByName(ClusterSpec.LOOPBACK))) {
            assertEquals(1, run("start", "--master-port", Integer.toString(busy.getLocalPort()),
                    "--webui-port", Integer.toString(ports[1])));
            assertTrue(err().contains("port " + busy.getLocalPort() + " on 127.0.0.1 (the master's RPC port) is in use;"
                    + " choose another with --master-port"), err());
        }
        try (ServerSocket busy = new ServerSocket(ports[1] + 2, 1, InetAddress.getByName(ClusterSpec.LOOPBACK))) {
            assertEquals(1, run("start", "--master-port", Integer.toString(ports[0]),
                    "--webui-port", Integer.toString(ports[1])));
            assertTrue(err().contains("port " + busy.getLocalPort() + " on 127.0.0.1 (worker-2's web UI) is in use;"
                    + " choose another with --webui-port"), err());
        }
        assertFalse(Files.exists(dir.resolve("pids")), "nothing may start when a port is taken");
    }

    @Test
    void aHistoryPortInUseIsNamed() throws IOException {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName(ClusterSpec.LOOPBACK))) {
            assertEquals(1, run("history", "--port", Integer.toString(busy.getLocalPort())));
            assertTrue(err().contains("(the history server's UI) is in use; choose another with --port"), err());
        }
        assertFalse(Files.exists(dir.resolve("pids/history.pid")));
    }

    @Test
    void missingSparkJarsNameTheBuildCommand() {
        int code = new ClusterCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))
                .run("--dir", dir.toString(), "--spark-home", dir.resolve("nowhere").toString(), "start");
        assertEquals(1, code);
        assertTrue(err().contains("no Spark jars in " + dir.resolve("nowhere/jars")), err());
        assertTrue(err().contains("mvn -B -q package -DskipTests"), err());
    }

    /** A pid file whose process is not a Spark daemon (a recycled pid) is never reported or killed. */
    @Test
    void aRecycledPidIsNeitherRunningNorStopped() throws IOException {
        Files.createDirectories(dir.resolve("pids"));
        Files.writeString(dir.resolve("pids/master.pid"), ProcessHandle.current().pid() + "\n");
        assertEquals(3, run("status"));
        assertEquals(0, run("stop"));
        assertTrue(out().contains("nothing to stop"), out());
        assertFalse(Files.exists(dir.resolve("pids/master.pid")), "the stale pid file is forgotten");
    }
}
