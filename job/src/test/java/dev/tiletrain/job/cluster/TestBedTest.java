package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tiletrain.tiles.DeviceLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test beds made and removed for real, without Spark (a second each): a start that fails part-way removes
 * what it made, a test bed a crashed start left is refused with the command that removes it (also when its
 * state file is gone), two directories' test beds live side by side, and a latency needs netem. The test bed
 * under a running cluster: EmulatedClusterIT. Skipped, saying why, on a machine without root or cgroup v1.
 */
class TestBedTest {
    private static final DeviceLimits LIMITS = DeviceLimits.NONE.withCpuShare(0.2).withMemoryBytes(256L << 20)
            .withLinkMbit(10);

    @TempDir
    Path temp;

    private final List<ClusterLayout> made = new ArrayList<>();

    @BeforeAll
    static void needsATestBedMachine() {
        Optional<String> why = LoopbackClusterExtension.noTestBedHere();
        assumeTrue(why.isEmpty(), () -> why.get());
    }

    @AfterEach
    void removeWhatATestLeft() {
        made.forEach(layout -> new TestBed(layout).remove());
    }

    private ClusterLayout layout(String name) {
        ClusterLayout layout = new ClusterLayout(temp.resolve(name));
        made.add(layout);
        return layout;
    }

    private static TestBedState make(ClusterLayout layout, int devices, DeviceLimits limits) {
        return new TestBed(layout).create(TestBedHost.check(false), devices, limits, Optional.empty(), line -> {});
    }

    /** The master of a Spark home without Spark exits at once: after the test bed was made. */
    @Test
    void aStartThatFailsPartWayRemovesItsTestBed() throws IOException {
        Path home = temp.resolve("no-spark");
        Files.createDirectories(home.resolve("jars"));
        Files.createFile(home.resolve("jars/spark-core_2.13-0.jar"));
        ClusterLayout layout = layout("failing");
        ClusterSpec spec = ClusterSpec.defaults().withWorkers(2)
                .withMasterPort(LoopbackClusterExtension.freePorts(1)[0]).withLimits(LIMITS, Optional.empty());
        List<String> progress = new ArrayList<>();
        ClusterException e = assertThrows(ClusterException.class,
                () -> new LoopbackCluster(SparkHome.at(home), layout).start(spec, progress::add));
        assertTrue(e.getMessage().startsWith("master exited with code 1 while waiting for the master to become ALIVE"),
                e.getMessage());
        assertTrue(progress.get(0).startsWith("test bed " + TestBedState.id(layout.root()) + " made"), progress.toString());
        assertNothingOf(layout);
    }

    @Test
    void aTestBedACrashedStartLeftIsRefusedWithTheCommandThatRemovesIt() throws IOException {
        ClusterLayout layout = layout("crashed");
        TestBedState bed = make(layout, 2, LIMITS);
        LoopbackCluster cluster = new LoopbackCluster(LoopbackClusterExtension.sparkHome(), layout);
        for (ClusterSpec spec : List.of(ClusterSpec.defaults(), ClusterSpec.defaults().withLimits(LIMITS, Optional.empty()))) {
            ClusterException e = assertThrows(ClusterException.class, () -> cluster.start(spec, line -> {}));
            assertEquals("a test bed of an earlier run of " + layout.root() + " is still there (bridge " + bed.bridge()
                    + ", 2 netns: " + bed.devices().get(0).netns() + " " + bed.devices().get(1).netns() + ", 2 link: "
                    + bed.devices().get(0).link() + " " + bed.devices().get(1).link() + ", 4 qdisc: "
                    + bed.devices().get(0).link() + " eth0@" + bed.devices().get(0).netns() + " "
                    + bed.devices().get(1).link() + " eth0@" + bed.devices().get(1).netns() + ", 4 cgroup: "
                    + bed.devices().get(0).cpuCgroup() + " " + bed.devices().get(0).memoryCgroup() + " "
                    + bed.devices().get(1).cpuCgroup() + " " + bed.devices().get(1).memoryCgroup() + "); remove it with `"
                    + "TILETRAIN_CLUSTER_DIR=" + layout.root() + " submit/cluster stop`", e.getMessage());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new ClusterCommand(new PrintStream(out, true, StandardCharsets.UTF_8), System.err).run("--dir",
                layout.root().toString(), "--spark-home", LoopbackClusterExtension.sparkHome().dir().toString(), "status");
        assertEquals(3, code);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("a test bed is left (bridge " + bed.bridge()), out.toString());
        List<String> removed = cluster.stop();
        assertEquals(1, removed.size(), removed.toString());
        assertNothingOf(layout);
    }

    /** Its state file deleted (say with target/), a test bed is still found by its directory's names. */
    @Test
    void aTestBedWhoseStateFileIsGoneIsFoundByItsNames() throws IOException {
        ClusterLayout layout = layout("forgotten");
        TestBedState bed = make(layout, 1, LIMITS);
        Files.delete(TestBedState.file(layout));
        ClusterException e = assertThrows(ClusterException.class, () -> new TestBed(layout).requireNoneLeft());
        assertTrue(e.getMessage().contains("(bridge " + bed.bridge() + ", netns " + bed.devices().get(0).netns()
                + ", link " + bed.devices().get(0).link() + ", 2 cgroup:"), e.getMessage());
        new LoopbackCluster(LoopbackClusterExtension.sparkHome(), layout).stop();
        assertNothingOf(layout);
    }

    @Test
    void twoDirectoriesTestBedsLiveSideBySide() throws IOException {
        TestBedState a = make(layout("a"), 1, LIMITS);
        TestBedState b = make(layout("b"), 1, LIMITS);
        assertNotEquals(a.id(), b.id());
        assertNotEquals(a.subnet(), b.subnet());
        assertTrue(Files.exists(Path.of("/sys/class/net", a.bridge())) && Files.exists(Path.of("/sys/class/net", b.bridge())));
    }

    /** netem is a kernel option: where it is there the delay is on both ends of each link, else refused up front. */
    @Test
    void aLatencyIsANetemDelayOrRefusedBeforeAnythingIsMade() throws IOException {
        ClusterLayout layout = layout("latency");
        DeviceLimits limits = LIMITS.withLatencyMs(2);
        if (KernelConfig.running().lacks(KernelConfig.NETEM)) {
            ClusterException e = assertThrows(ClusterException.class, () -> new LoopbackCluster(
                    LoopbackClusterExtension.sparkHome(), layout).start(ClusterSpec.defaults().withLimits(limits,
                    Optional.empty()), line -> {}));
            assertTrue(e.getMessage().contains("for --latency, the kernel's netem queueing discipline"), e.getMessage());
            assertNothingOf(layout);
            return;
        }
        TestBedState bed = make(layout, 1, limits);
        TestBedHost host = TestBedHost.check(true);
        TestBedState.Device d = bed.devices().get(0);
        for (List<String> show : List.of(List.of(host.tc().toString(), "qdisc", "show", "dev", d.link()),
                List.of(host.tc().toString(), "-n", d.netns(), "qdisc", "show", "dev", TestBedState.DEVICE_LINK))) {
            String qdiscs = SystemCommand.check(show);
            // tc prints the delay in its own units; that netem and the tbf under it are there is the check.
            assertTrue(qdiscs.contains("netem") && qdiscs.contains("delay") && qdiscs.contains("tbf"), qdiscs);
        }
    }

    private static void assertNothingOf(ClusterLayout layout) throws IOException {
        String prefix = TestBedState.prefix(layout.root());
        for (Path dir : List.of(TestBed.NETNS_DIR, TestBed.SYS_NET, TestBedHost.CGROUP_FS.resolve("cpu"),
                TestBedHost.CGROUP_FS.resolve("memory"))) {
            try (Stream<Path> entries = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
                assertEquals(List.of(), entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList(),
                        "left in " + dir);
            }
        }
        assertFalse(Files.exists(TestBedState.file(layout)), "the state file is left");
    }
}
