package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the test bed needs of a machine, checked on made-up machines: everything missing is named at once. */
class TestBedHostTest {
    private static final KernelConfig NO_NETEM = KernelConfig.parse("/proc/config.gz",
            "CONFIG_NET_SCH_TBF=y\n# CONFIG_NET_SCH_NETEM is not set\n");

    @TempDir
    Path dir;

    @Test
    void aBareMachineIsToldEverythingItLacks() {
        ClusterException e = assertThrows(ClusterException.class,
                () -> TestBedHost.check(1000, dir.resolve("cgroup"), List.of(dir.resolve("bin")), NO_NETEM));
        String message = e.getMessage();
        for (String missing : List.of("root (this is uid 1000", "for --latency, the kernel's netem queueing discipline "
                + "(CONFIG_NET_SCH_NETEM is not set in /proc/config.gz", "the cgroup v1 cpu controller mounted at "
                + dir.resolve("cgroup/cpu"), "the cgroup v1 memory controller", "the tool `ip` (Debian: apt-get install iproute2)",
                "the tool `tc`", "the tool `nsenter` (Debian: apt-get install util-linux)")) {
            assertTrue(message.contains(missing), missing + " not in: " + message);
        }
        assertTrue(message.endsWith("; nothing was started"), message);
    }

    @Test
    void aMachineWithEverythingGivesItsToolsAndControllers() throws Exception {
        Path cgroups = dir.resolve("cgroup");
        Files.createDirectories(cgroups.resolve("cpu"));
        Files.createDirectories(cgroups.resolve("memory"));
        Files.writeString(cgroups.resolve("cpu/cpu.cfs_quota_us"), "-1");
        Files.writeString(cgroups.resolve("memory/memory.limit_in_bytes"), "9223372036854771712");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("ip", "tc", "nsenter")) {
            Files.createFile(bin.resolve(tool), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        TestBedHost host = TestBedHost.check(0, cgroups, List.of(dir.resolve("nowhere"), bin), KernelConfig.UNKNOWN);
        assertEquals(new TestBedHost(cgroups.resolve("cpu"), cgroups.resolve("memory"), bin.resolve("ip"),
                bin.resolve("tc"), bin.resolve("nsenter")), host);
    }

    @Test
    void theKernelsConfigTellsBuiltInModularAndMissing() {
        KernelConfig config = KernelConfig.parse("x", "CONFIG_A=y\nCONFIG_B=m\n# CONFIG_C is not set\n");
        assertFalse(config.lacks("CONFIG_A"));
        assertFalse(config.lacks("CONFIG_B"));
        assertTrue(config.lacks("CONFIG_C"));
        assertTrue(config.lacks("CONFIG_D"), "an option a published config leaves out is not there");
        assertFalse(KernelConfig.UNKNOWN.lacks("CONFIG_C"), "without a config, tc says what is missing");
    }
}
