package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.job.cluster.TestBedState.Resource;
import dev.tiletrain.job.cluster.TestBedState.Resource.Kind;
import dev.tiletrain.tiles.DeviceLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test bed's names and its state file, without making anything (no root needed). */
class TestBedStateTest {
    private static final Path CPU = Path.of("/sys/fs/cgroup/cpu");
    private static final Path MEMORY = Path.of("/sys/fs/cgroup/memory");

    @TempDir
    Path dir;

    @Test
    void namesFitLinuxsInterfaceLimitUpToTheLastDevice() {
        TestBedState bed = TestBedState.planned(dir, "10.77.3", DeviceLimits.NONE.withLinkMbit(50), Optional.empty());
        TestBedState.Device last = bed.device(TestBedState.MAX_DEVICES, CPU, MEMORY);
        for (String name : new String[] {bed.bridge(), last.link(), last.netns()}) {
            assertTrue(name.length() <= 15, name);
            assertTrue(name.startsWith("tt" + bed.id()), name);
        }
        assertEquals("10.77.3.210", last.address());
        assertEquals("10.77.3.1", bed.bridgeAddress());
        assertEquals(CPU.resolve(last.netns()), last.cpuCgroup());
    }

    @Test
    void eachDirectoryHasItsOwnId() {
        assertEquals(TestBedState.id(dir), TestBedState.id(dir.resolve("x/..")));
        assertNotEquals(TestBedState.id(dir.resolve("a")), TestBedState.id(dir.resolve("b")));
        assertTrue(TestBedState.id(dir).matches("[0-9a-f]{6}"));
    }

    @Test
    void theStateFileHoldsEverythingItRecords() {
        DeviceLimits limits = DeviceLimits.NONE.withCpuShare(0.4).withMemoryBytes(1L << 30).withLinkMbit(478)
                .withLatencyMs(0.04);
        TestBedState bed = TestBedState.planned(dir, "10.77.200", limits, Optional.of("pi3-emulated"));
        TestBedState.Device d = bed.device(1, CPU, MEMORY);
        bed = bed.with(new Resource(Kind.BRIDGE, bed.bridge(), "")).with(new Resource(Kind.NETNS, d.netns(), ""))
                .with(new Resource(Kind.QDISC, TestBedState.DEVICE_LINK, d.netns()))
                .with(new Resource(Kind.CGROUP, d.cpuCgroup().toString(), "")).with(d);
        Path file = dir.resolve(TestBedState.FILE_NAME);
        bed.write(file);
        assertEquals(bed, TestBedState.read(file).orElseThrow());
        assertEquals(Optional.of(new DeviceHeaps(512, 512)), bed.heaps());
    }

    @Test
    void noFileIsNoTestBedAndABrokenOneIsNamed() throws Exception {
        Path file = dir.resolve(TestBedState.FILE_NAME);
        assertEquals(Optional.empty(), TestBedState.read(file));
        Files.writeString(file, "id=abc\n");
        ClusterException e = assertThrows(ClusterException.class, () -> TestBedState.read(file));
        assertTrue(e.getMessage().startsWith(file + " is not a test bed's state (no "), e.getMessage());
    }
}
