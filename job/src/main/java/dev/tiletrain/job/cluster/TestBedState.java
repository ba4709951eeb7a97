package dev.tiletrain.job.cluster;

import dev.tiletrain.tiles.DeviceLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The test bed of one cluster directory as its state file ({@code testbed.properties}) records it: the
 * limits, each device's namespace, address, link and cgroups, the heaps chosen for its JVMs, and every
 * resource in the order it was made. A resource is recorded before it is made, so that whatever a crash
 * leaves is on record and {@code submit/cluster stop} removes it.
 *
 * <p>Names are unique per cluster directory: {@code tt} and six hex digits of a hash of the directory's
 * path ({@link #id}), then {@code br} for the bridge, {@code d<i>} for device i's namespace and cgroups and
 * {@code v<i>} for its link's host end: at most 15 characters, Linux's limit for an interface name.
 *
 * @param subnet the first three octets of the test bed's /24 ({@code 10.77.23}): the bridge is .1, device i
 *     is .(10 + i)
 * @param heaps the JVM heaps derived from the memory limit, when there is one
 */
public record TestBedState(String id, Path dir, String subnet, DeviceLimits limits, Optional<String> profile,
                           Optional<DeviceHeaps> heaps, List<Device> devices, List<Resource> resources) {
    /** The interface of a device's link inside its namespace. */
    public static final String DEVICE_LINK = "eth0";
    static final String FILE_NAME = "testbed.properties";
    static final int MAX_DEVICES = 200;

    /** One emulated device: its namespace, its address in it, its link's host end, and its two cgroups. */
    public record Device(int index, String netns, String address, String link, Path cpuCgroup, Path memoryCgroup) {
        public String name() {
            return "device-" + index;
        }

        /** The Worker daemon that runs on the device. */
        public String worker() {
            return "worker-" + index;
        }
    }

    /** What the test bed made; {@code netns} is empty for what lives in the machine's own namespace. */
    public record Resource(Kind kind, String name, String netns) {
        public enum Kind { BRIDGE, NETNS, LINK, QDISC, CGROUP }

        /** The name, and for what lives in a device's namespace, {@code @namespace}. */
        public String label() {
            return name + (netns.isEmpty() ? "" : "@" + netns);
        }

        @Override
        public String toString() {
            return kind.name().toLowerCase(Locale.ROOT) + " " + label();
        }
    }

    /** A test bed with nothing made yet. */
    static TestBedState planned(Path dir, String subnet, DeviceLimits limits, Optional<String> profile) {
        return new TestBedState(id(dir), dir, subnet, limits, profile, DeviceHeaps.of(limits), List.of(), List.of());
    }

    /** Six hex digits of the SHA-256 of the directory's absolute path. */
    static String id(Path dir) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(dir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What every name of this directory's test bed starts with. */
    static String prefix(Path dir) {
        return "tt" + id(dir);
    }

    public String bridge() {
        return prefix(dir) + "br";
    }

    public String bridgeAddress() {
        return subnet + ".1";
    }

    /** Device {@code i} (1-based) as it will be made, under {@code cpuRoot} and {@code memoryRoot}. */
    Device device(int i, Path cpuRoot, Path memoryRoot) {
        String name = prefix(dir) + "d" + i;
        return new Device(i, name, subnet + "." + (10 + i), prefix(dir) + "v" + i, cpuRoot.resolve(name),
                memoryRoot.resolve(name));
    }

    TestBedState with(Device device) {
        List<Device> more = new ArrayList<>(devices);
        more.add(device);
        return new TestBedState(id, dir, subnet, limits, profile, heaps, List.copyOf(more), resources);
    }

    TestBedState with(Resource resource) {
        List<Resource> more = new ArrayList<>(resources);
        more.add(resource);
        return new TestBedState(id, dir, subnet, limits, profile, heaps, devices, List.copyOf(more));
    }

    /** The state file of the test bed of a cluster's directory. */
    public static Path file(ClusterLayout layout) {
        return layout.root().resolve(FILE_NAME);
    }

    void write(Path file) {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("id", id);
        kv.put("dir", dir.toString());
        kv.put("subnet", subnet);
        kv.put("bridge", bridge());
        kv.put("bridge.address", bridgeAddress());
        limits.cpuShare().ifPresent(v -> kv.put("limit.cpu", DeviceLimits.number(v)));
        limits.memoryBytes().ifPresent(v -> kv.put("limit.memory.bytes", Long.toString(v)));
        limits.linkMbit().ifPresent(v -> kv.put("limit.link.mbit", DeviceLimits.number(v)));
        limits.latencyMs().ifPresent(v -> kv.put("limit.latency.ms", DeviceLimits.number(v)));
        profile.ifPresent(p -> kv.put("profile", p));
        heaps.ifPresent(h -> {
            kv.put("executor.memory", h.executorMb() + "m");
            kv.put("driver.heap", h.driverMb() + "m");
        });
        kv.put("devices", Integer.toString(devices.size()));
        for (Device d : devices) {
            String k = "device." + d.index() + ".";
            kv.put(k + "netns", d.netns());
            kv.put(k + "address", d.address());
            kv.put(k + "link", d.link());
            kv.put(k + "cgroup.cpu", d.cpuCgroup().toString());
            kv.put(k + "cgroup.memory", d.memoryCgroup().toString());
        }
        for (int i = 0; i < resources.size(); i++) {
            Resource r = resources.get(i);
            kv.put("resource." + (i + 1), r.kind().name().toLowerCase(Locale.ROOT) + " " + r.name()
                    + (r.netns().isEmpty() ? "" : " " + r.netns()));
        }
        KeyValueFile.write(file, kv);
    }

    /** The recorded test bed, if the file exists. */
    public static Optional<TestBedState> read(Path file) {
        Map<String, String> kv = KeyValueFile.read(file);
        if (kv.isEmpty()) {
            return Optional.empty();
        }
        try {
            DeviceLimits limits = new DeviceLimits(optionalDouble(kv, "limit.cpu"),
                    kv.containsKey("limit.memory.bytes") ? OptionalLong.of(Long.parseLong(kv.get("limit.memory.bytes")))
                            : OptionalLong.empty(),
                    optionalDouble(kv, "limit.link.mbit"), optionalDouble(kv, "limit.latency.ms"));
            Optional<DeviceHeaps> heaps = kv.containsKey("executor.memory")
                    ? Optional.of(new DeviceHeaps(mb(kv.get("executor.memory")), mb(kv.get("driver.heap"))))
                    : Optional.empty();
            List<Device> devices = new ArrayList<>();
            int n = Integer.parseInt(required(kv, "devices"));
            for (int i = 1; i <= n; i++) {
                String k = "device." + i + ".";
                devices.add(new Device(i, required(kv, k + "netns"), required(kv, k + "address"), required(kv, k + "link"),
                        Path.of(required(kv, k + "cgroup.cpu")), Path.of(required(kv, k + "cgroup.memory"))));
            }
            List<Resource> resources = new ArrayList<>();
            for (int i = 1; kv.containsKey("resource." + i); i++) {
                String[] words = kv.get("resource." + i).split(" ");
                resources.add(new Resource(Resource.Kind.valueOf(words[0].toUpperCase(Locale.ROOT)), words[1],
                        words.length > 2 ? words[2] : ""));
            }
            return Optional.of(new TestBedState(required(kv, "id"), Path.of(required(kv, "dir")),
                    required(kv, "subnet"), limits, Optional.ofNullable(kv.get("profile")), heaps, List.copyOf(devices),
                    List.copyOf(resources)));
        } catch (RuntimeException e) {
            throw new ClusterException(file + " is not a test bed's state (" + e.getMessage() + "); remove what it "
                    + "names by hand and delete it");
        }
    }

    private static String required(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return v;
    }

    private static OptionalDouble optionalDouble(Map<String, String> kv, String key) {
        return kv.containsKey(key) ? OptionalDouble.of(Double.parseDouble(kv.get(key))) : OptionalDouble.empty();
    }

    private static long mb(String size) {
        return Long.parseLong(size.substring(0, size.length() - 1));
    }
}
