package dev.tiletrain.job.cluster;

import dev.tiletrain.job.cluster.TestBedState.Device;
import dev.tiletrain.job.cluster.TestBedState.Resource;
import dev.tiletrain.job.cluster.TestBedState.Resource.Kind;
import dev.tiletrain.tiles.DeviceLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The emulated devices of one cluster directory, made of Linux's own parts: a bridge on this machine (the
 * Master's side) and per device a network namespace joined to it by a veth pair, a token-bucket filter
 * ({@code tbf}) on both ends of that link for {@code --link} and a netem delay for {@code --latency}, and a
 * cgroup in each of the v1 {@code cpu} and {@code memory} controllers for {@code --cpu} and {@code --memory}.
 * The addresses live only inside the namespaces it makes and on its bridge; the devices have no route
 * anywhere else, so nothing they send leaves this machine.
 */
public final class TestBed {
    static final Path NETNS_DIR = Path.of("/run/netns");
    static final Path SYS_NET = Path.of("/sys/class/net");
    /** The test beds' /24s are taken from 10.77.0.0/16, a private range. */
    private static final String SUBNET_BASE = "10.77";
    /** 10 ms periods: a quota over the default 100 ms would let a device run a whole 40 ms and then stall. */
    private static final long CPU_PERIOD_US = 10_000;
    private static final long MIN_QUOTA_US = 1_000;
    /**
     * Eight times a plain process's weight: the quota caps a device, and the weight makes it get its quota
     * while the rest of this machine is busy, as a real device would.
     */
    private static final int CPU_SHARES = 8192;
    /** Long enough for a queue on a busy link (tbf drops what would wait longer). */
    private static final String TBF_QUEUE = "50ms";
    private static final long MIN_BURST_BYTES = 16 * 1024;
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);
    private static final Duration CGROUP_EMPTY_WAIT = Duration.ofSeconds(10);
    /** Joins both cgroups, then enters the namespace: what the program then starts inherits both. */
    private static final String ENTER = "echo $$ > \"$1/cgroup.procs\" && echo $$ > \"$2/cgroup.procs\" && shift 2 && exec \"$@\"";
    private static final Comparator<Resource> REMOVAL_ORDER = Comparator.comparingInt(r -> switch (r.kind()) {
        case CGROUP -> 0;
        case QDISC -> 1;
        case LINK -> 2;
        case NETNS -> 3;
        case BRIDGE -> 4;
    });

    private final ClusterLayout layout;

    public TestBed(ClusterLayout layout) {
        this.layout = layout;
    }

    public Path stateFile() {
        return TestBedState.file(layout);
    }

    public Optional<TestBedState> state() {
        return TestBedState.read(stateFile());
    }

    /** The one command that removes this directory's test bed (and stops its cluster). */
    public String removeCommand() {
        return "TILETRAIN_CLUSTER_DIR=" + layout.root() + " submit/cluster stop";
    }

    /**
     * What of a test bed of this directory exists now: what its state file records and still exists, and
     * anything bearing this directory's name prefix that the file does not record (the file was deleted).
     */
    public List<Resource> existing() {
        List<Resource> found = new ArrayList<>();
        state().ifPresent(s -> s.resources().stream().filter(TestBed::exists).forEach(found::add));
        String prefix = TestBedState.prefix(layout.root());
        Stream.of(names(NETNS_DIR, prefix).map(n -> new Resource(Kind.NETNS, n, "")),
                        names(SYS_NET, prefix).map(n -> new Resource(n.endsWith("br") ? Kind.BRIDGE : Kind.LINK, n, "")),
                        Stream.of("cpu", "memory").flatMap(c -> names(TestBedHost.CGROUP_FS.resolve(c), prefix)
                                .map(n -> new Resource(Kind.CGROUP, TestBedHost.CGROUP_FS.resolve(c).resolve(n).toString(), ""))))
                .flatMap(s -> s).filter(r -> !found.contains(r)).forEach(found::add);
        return found;
    }

    /**
     * Refuses to go on while a test bed of an earlier run of this directory exists, naming the command that
     * removes it; forgets a state file that records only what no longer exists.
     */
    void requireNoneLeft() {
        List<Resource> left = existing();
        if (!left.isEmpty()) {
            throw new ClusterException("a test bed of an earlier run of " + layout.root() + " is still there ("
                    + describe(left) + "); remove it with `" + removeCommand() + "`");
        }
        KeyValueFile.delete(stateFile());
    }

    /**
     * Makes {@code devices} devices under these limits, recording each part in the state file before making
     * it. A test bed left by an earlier run is refused with the command that removes it; a failure part-way
     * removes what was made.
     */
    TestBedState create(TestBedHost host, int devices, DeviceLimits limits, Optional<String> profile,
            Consumer<String> progress) {
        if (devices > TestBedState.MAX_DEVICES) {
            throw new ClusterException("a test bed has at most " + TestBedState.MAX_DEVICES + " devices, asked for " + devices);
        }
        requireNoneLeft();
        long t0 = System.nanoTime();
        Maker maker = new Maker(host, TestBedState.planned(layout.root(), freeSubnet(host), limits, profile));
        try {
            maker.make(devices);
        } catch (RuntimeException e) {
            try {
                remove();
            } catch (RuntimeException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
        TestBedState state = maker.state;
        progress.accept(String.format("test bed %s made in %.1f s: bridge %s %s/24, %d device(s) at %s.11 and up, each %s",
                state.id(), (System.nanoTime() - t0) / 1e9, state.bridge(), state.bridgeAddress(), devices, state.subnet(),
                limits));
        return state;
    }

    /**
     * Removes this directory's test bed (all of {@link #existing}): stops what still runs in its cgroups,
     * then removes cgroups, queueing disciplines, links, namespaces and the bridge. Returns what it removed.
     */
    public List<String> remove() {
        List<Resource> present = existing();
        List<String> done = new ArrayList<>();
        if (!present.isEmpty()) {
            TestBedHost host = TestBedHost.check(false);
            present.stream().filter(r -> r.kind() == Kind.CGROUP)
                    .forEach(r -> done.addAll(stopProcesses(Path.of(r.name()))));
            present.stream().sorted(REMOVAL_ORDER).forEach(r -> removeOne(host, r));
            List<Resource> still = existing();
            if (!still.isEmpty()) {
                throw new ClusterException("could not remove " + describe(still) + " of the test bed of " + layout.root()
                        + "; " + stateFile() + " still records it");
            }
            done.add("test bed " + TestBedState.prefix(layout.root()) + " (" + describe(present) + ")");
        }
        KeyValueFile.delete(stateFile());
        return done;
    }

    /** The command words that run a program on a device: in its cgroups and its network namespace. */
    static List<String> enter(TestBedHost host, Device device) {
        return List.of("/bin/sh", "-c", ENTER, device.name(), device.cpuCgroup().toString(),
                device.memoryCgroup().toString(), host.nsenter().toString(),
                "--net=" + NETNS_DIR.resolve(device.netns()), "--");
    }

    /** Counts per kind: "bridge ttab12cdbr, 2 netns, 2 link, 4 cgroup". */
    static String describe(List<Resource> resources) {
        Map<Kind, List<Resource>> byKind = resources.stream().collect(Collectors.groupingBy(Resource::kind, TreeMap::new,
                Collectors.toList()));
        return byKind.values().stream().map(rs -> rs.size() == 1 ? rs.get(0).toString()
                : rs.size() + " " + rs.get(0).kind().name().toLowerCase(Locale.ROOT) + ": " + rs.stream()
                        .map(Resource::label).collect(Collectors.joining(" "))).collect(Collectors.joining(", "));
    }

    /** Makes the parts one by one, each recorded before it is made. */
    private final class Maker {
        private final TestBedHost host;
        private TestBedState state;

        Maker(TestBedHost host, TestBedState state) {
            this.host = host;
            this.state = state;
            state.write(stateFile());
        }

        void make(int devices) {
            boolean ipv6 = Files.isDirectory(Path.of("/proc/sys/net/ipv6"));
            String bridge = state.bridge();
            record(new Resource(Kind.BRIDGE, bridge, ""));
            ip("link", "add", bridge, "type", "bridge");
            if (ipv6) {
                // No IPv6 link-local chatter (router solicitations, MLD) in the links' byte counts.
                ip("link", "set", bridge, "addrgenmode", "none");
            }
            ip("addr", "add", state.bridgeAddress() + "/24", "dev", bridge);
            ip("link", "set", bridge, "up");
            for (int i = 1; i <= devices; i++) {
                Device d = state.device(i, host.cpuCgroups(), host.memoryCgroups());
                record(new Resource(Kind.NETNS, d.netns(), ""));
                ip("netns", "add", d.netns());
                ip("-n", d.netns(), "link", "set", "lo", "up");
                record(new Resource(Kind.LINK, d.link(), ""));
                ip("link", "add", d.link(), "type", "veth", "peer", "name", TestBedState.DEVICE_LINK, "netns", d.netns());
                if (ipv6) {
                    ip("link", "set", d.link(), "addrgenmode", "none");
                    ip("-n", d.netns(), "link", "set", TestBedState.DEVICE_LINK, "addrgenmode", "none");
                }
                ip("link", "set", d.link(), "master", bridge);
                ip("-n", d.netns(), "addr", "add", d.address() + "/24", "dev", TestBedState.DEVICE_LINK);
                ip("link", "set", d.link(), "up");
                ip("-n", d.netns(), "link", "set", TestBedState.DEVICE_LINK, "up");
                DeviceLimits limits = state.limits();
                if (limits.linkMbit().isPresent() || limits.latencyMs().isPresent()) {
                    // Bridge to device on the host end, device to bridge on the device end: both directions.
                    record(new Resource(Kind.QDISC, d.link(), ""));
                    shape(List.of(host.tc().toString()), d.link(), limits);
                    record(new Resource(Kind.QDISC, TestBedState.DEVICE_LINK, d.netns()));
                    shape(List.of(host.tc().toString(), "-n", d.netns()), TestBedState.DEVICE_LINK, limits);
                }
                record(new Resource(Kind.CGROUP, d.cpuCgroup().toString(), ""));
                mkdir(d.cpuCgroup());
                if (limits.cpuShare().isPresent()) {
                    double share = limits.cpuShare().getAsDouble();
                    long period = Math.max(CPU_PERIOD_US, (long) Math.ceil(MIN_QUOTA_US / share));
                    write(d.cpuCgroup().resolve("cpu.cfs_period_us"), period);
                    write(d.cpuCgroup().resolve("cpu.cfs_quota_us"), Math.round(share * period));
                    write(d.cpuCgroup().resolve("cpu.shares"), CPU_SHARES);
                }
                record(new Resource(Kind.CGROUP, d.memoryCgroup().toString(), ""));
                mkdir(d.memoryCgroup());
                if (limits.memoryBytes().isPresent()) {
                    write(d.memoryCgroup().resolve("memory.limit_in_bytes"), limits.memoryBytes().getAsLong());
                    Path withSwap = d.memoryCgroup().resolve("memory.memsw.limit_in_bytes");
                    if (Files.exists(withSwap)) {
                        // No swapping past the limit either: a device has no swap to spare.
                        write(withSwap, limits.memoryBytes().getAsLong());
                    }
                }
                state = state.with(d);
                state.write(stateFile());
            }
        }

        private void record(Resource r) {
            state = state.with(r);
            state.write(stateFile());
        }

        private void ip(String... args) {
            List<String> command = new ArrayList<>(List.of(host.ip().toString()));
            command.addAll(List.of(args));
            SystemCommand.check(command);
        }

        /** tbf at the link rate; with a latency, netem's delay first and the tbf under it. */
        private void shape(List<String> tc, String dev, DeviceLimits limits) {
            List<String> tbf = limits.linkMbit().isEmpty() ? List.of() : tbf(limits.linkMbit().getAsDouble());
            if (limits.latencyMs().isPresent()) {
                long micros = Math.round(limits.latencyMs().getAsDouble() * 1000);
                SystemCommand.check(concat(tc, List.of("qdisc", "add", "dev", dev, "root", "handle", "1:", "netem", "delay",
                        micros + "us")));
                if (!tbf.isEmpty()) {
                    SystemCommand.check(concat(tc, List.of("qdisc", "add", "dev", dev, "parent", "1:1", "handle", "10:"), tbf));
                }
            } else {
                SystemCommand.check(concat(tc, List.of("qdisc", "add", "dev", dev, "root", "handle", "1:"), tbf));
            }
        }
    }

    /** A token bucket at {@code mbit}, with a bucket of 1 ms of the rate (at least 16 KiB) for the timer's grain. */
    private static List<String> tbf(double mbit) {
        long bits = Math.round(mbit * 1e6);
        long burst = Math.max(MIN_BURST_BYTES, bits / 8 / 1000);
        return List.of("tbf", "rate", bits + "bit", "burst", Long.toString(burst), "latency", TBF_QUEUE);
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return Stream.of(parts).flatMap(List::stream).toList();
    }

    private static boolean exists(Resource r) {
        return switch (r.kind()) {
            case BRIDGE, LINK -> Files.exists(SYS_NET.resolve(r.name()));
            case NETNS -> Files.exists(NETNS_DIR.resolve(r.name()));
            // A queueing discipline lives as long as its interface; its namespace's for the device's end.
            case QDISC -> r.netns().isEmpty() ? Files.exists(SYS_NET.resolve(r.name())) : Files.exists(NETNS_DIR.resolve(r.netns()));
            case CGROUP -> Files.isDirectory(Path.of(r.name()));
        };
    }

    private static void removeOne(TestBedHost host, Resource r) {
        switch (r.kind()) {
            case CGROUP -> rmdir(Path.of(r.name()));
            case QDISC -> {
                List<String> tc = r.netns().isEmpty() ? List.of(host.tc().toString())
                        : List.of(host.tc().toString(), "-n", r.netns());
                String root = SystemCommand.check(concat(tc, List.of("qdisc", "show", "dev", r.name(), "root")));
                if (root.contains("tbf") || root.contains("netem")) {
                    SystemCommand.check(concat(tc, List.of("qdisc", "del", "dev", r.name(), "root")));
                }
            }
            case LINK, BRIDGE -> SystemCommand.check(List.of(host.ip().toString(), "link", "del", r.name()));
            case NETNS -> SystemCommand.check(List.of(host.ip().toString(), "netns", "del", r.name()));
        }
    }

    /**
     * Stops what still runs in a device's cgroup (executors whose Worker died, a driver, a probe): SIGTERM,
     * and SIGKILL after a grace time. Returns a line per process.
     */
    private static List<String> stopProcesses(Path cgroup) {
        List<ProcessHandle> processes = pids(cgroup).stream().map(ProcessHandle::of).flatMap(Optional::stream).toList();
        List<String> stopped = new ArrayList<>();
        for (ProcessHandle p : processes) {
            String command = p.info().commandLine().orElse("?");
            stopped.add("pid " + p.pid() + " left in " + cgroup.getFileName() + " ("
                    + (command.length() > 100 ? command.substring(0, 100) + "…" : command) + ")");
            p.destroy();
        }
        long deadline = System.nanoTime() + KILL_GRACE.toNanos();
        for (ProcessHandle p : processes) {
            try {
                p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                p.destroyForcibly();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        return stopped;
    }

    /** A cgroup can go once no process is in it; the kernel takes a moment after the last one exits. */
    private static void rmdir(Path cgroup) {
        long deadline = System.nanoTime() + CGROUP_EMPTY_WAIT.toNanos();
        while (true) {
            try {
                Files.delete(cgroup);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new ClusterException("cannot remove cgroup " + cgroup + " (processes " + pids(cgroup) + " are "
                            + "still in it): " + e.getMessage());
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException("interrupted while removing cgroup " + cgroup);
            }
        }
    }

    static List<Long> pids(Path cgroup) {
        try {
            return Files.readAllLines(cgroup.resolve("cgroup.procs")).stream().filter(l -> !l.isBlank())
                    .map(l -> Long.parseLong(l.trim())).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Stream<String> names(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) {
            return Stream.empty();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkdir(Path dir) {
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new ClusterException("cannot make cgroup " + dir + ": " + e);
        }
    }

    private static void write(Path file, long value) {
        try {
            Files.writeString(file, Long.toString(value));
        } catch (IOException e) {
            throw new ClusterException("cannot write " + value + " to " + file + ": " + e);
        }
    }

    /** A /24 of 10.77.0.0/16 that no address or route of this machine overlaps, starting from this directory's. */
    private String freeSubnet(TestBedHost host) {
        List<int[]> taken = new ArrayList<>();
        for (String line : SystemCommand.check(List.of(host.ip().toString(), "-4", "-o", "addr", "show")).split("\n")) {
            String[] words = line.trim().split("\\s+");
            for (int i = 0; i + 1 < words.length; i++) {
                if (words[i].equals("inet")) {
                    Cidr.parse(words[i + 1]).ifPresent(taken::add);
                }
            }
        }
        for (String line : SystemCommand.check(List.of(host.ip().toString(), "-4", "route", "show", "table", "all")).split("\n")) {
            String first = line.trim().split("\\s+")[0];
            Cidr.parse(first.contains("/") ? first : first + "/32").ifPresent(taken::add);
        }
        int start = Integer.parseInt(TestBedState.id(layout.root()).substring(0, 2), 16);
        for (int k = 0; k < 256; k++) {
            String subnet = SUBNET_BASE + "." + ((start + k) % 256);
            int[] candidate = Cidr.parse(subnet + ".0/24").orElseThrow();
            // Only prefixes of /16 or longer count: a broader route (a default, a 10.0.0.0/8) yields to the /24.
            if (taken.stream().noneMatch(t -> t[1] >= 16 && Cidr.overlap(t, candidate))) {
                return subnet;
            }
        }
        throw new ClusterException("every /24 of " + SUBNET_BASE + ".0.0/16 is used on this machine");
    }

    /** IPv4 prefixes as {network, length}. */
    private static final class Cidr {
        static Optional<int[]> parse(String text) {
            String[] parts = text.split("/");
            String[] octets = parts[0].split("\\.");
            if (parts.length != 2 || octets.length != 4) {
                return Optional.empty();
            }
            try {
                int address = 0;
                for (String o : octets) {
                    address = address << 8 | Integer.parseInt(o);
                }
                return Optional.of(new int[] {address, Integer.parseInt(parts[1])});
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        static boolean overlap(int[] a, int[] b) {
            int len = Math.min(a[1], b[1]);
            int mask = len == 0 ? 0 : -1 << (32 - len);
            return (a[0] & mask) == (b[0] & mask);
        }
    }
}
