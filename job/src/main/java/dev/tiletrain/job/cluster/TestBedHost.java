package dev.tiletrain.job.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the test bed uses of this machine: root, the cgroup v1 {@code cpu} and {@code memory} controllers, the
 * tools {@code ip}, {@code tc} (iproute2) and {@code nsenter} (util-linux), and for {@code --latency} the
 * kernel's netem queueing discipline. {@link #check} finds them all or names everything missing before
 * anything is made.
 */
record TestBedHost(Path cpuCgroups, Path memoryCgroups, Path ip, Path tc, Path nsenter) {
    static final Path CGROUP_FS = Path.of("/sys/fs/cgroup");
    /** Where root's tools live even when the caller's PATH leaves them out. */
    private static final List<Path> SYSTEM_BIN = List.of(Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/bin"),
            Path.of("/bin"));
    private static final Map<String, String> PACKAGE = Map.of("ip", "iproute2", "tc", "iproute2", "nsenter", "util-linux");

    /** This machine, as this process sees it, for a test bed that needs netem or not. */
    static TestBedHost check(boolean netem) {
        return check(effectiveUid(), CGROUP_FS, searchPath(), netem ? KernelConfig.running() : KernelConfig.UNKNOWN);
    }

    /**
     * @param kernel the running kernel's build options where the test bed needs netem ({@code --latency}),
     *     else {@link KernelConfig#UNKNOWN}
     */
    static TestBedHost check(long uid, Path cgroupFs, List<Path> searchPath, KernelConfig kernel) {
        List<String> missing = new ArrayList<>();
        if (uid != 0) {
            missing.add("root (this is uid " + uid + "; run it as root, e.g. with sudo)");
        }
        if (kernel.lacks(KernelConfig.NETEM)) {
            missing.add("for --latency, the kernel's netem queueing discipline (" + KernelConfig.NETEM + " is not set"
                    + " in " + kernel.source() + "; without netem leave out --latency and testbed.latency.ms)");
        }
        Path cpu = controller(cgroupFs, "cpu", "cpu.cfs_quota_us", missing);
        Path memory = controller(cgroupFs, "memory", "memory.limit_in_bytes", missing);
        Map<String, Path> tools = new LinkedHashMap<>();
        for (String tool : List.of("ip", "tc", "nsenter")) {
            Optional<Path> found = searchPath.stream().map(d -> d.resolve(tool)).filter(Files::isExecutable).findFirst();
            found.ifPresentOrElse(p -> tools.put(tool, p), () -> missing.add("the tool `" + tool + "` (Debian: apt-get install "
                    + PACKAGE.get(tool) + ")"));
        }
        if (!missing.isEmpty()) {
            throw new ClusterException("an emulated cluster (--cpu, --memory, --link, --latency, --profile) needs "
                    + String.join("; ", missing) + "; nothing was started");
        }
        return new TestBedHost(cpu, memory, tools.get("ip"), tools.get("tc"), tools.get("nsenter"));
    }

    private static Path controller(Path cgroupFs, String name, String file, List<String> missing) {
        Path root = cgroupFs.resolve(name);
        if (!Files.isRegularFile(root.resolve(file))) {
            missing.add("the cgroup v1 " + name + " controller mounted at " + root + " (no " + root.resolve(file) + ")");
        }
        return root;
    }

    private static List<Path> searchPath() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(":")).filter(s -> !s.isEmpty()).map(Path::of), SYSTEM_BIN.stream())
                .distinct().toList();
    }

    /** The effective user id, from {@code /proc/self/status} ("Uid: real effective saved fs"). */
    static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new ClusterException("cannot tell this process's user id from /proc/self/status: " + e.getMessage());
        }
        throw new ClusterException("no Uid line in /proc/self/status");
    }
}
