package dev.tiletrain.job.cluster;

import dev.tiletrain.tiles.DeviceLimits;
import dev.tiletrain.tiles.DeviceProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line's words for an emulated device's limits: {@code --cpu 0.4}, {@code --memory 1g},
 * {@code --link 50mbit}, {@code --latency 0.3ms}, and {@code --profile NAME} for the {@code testbed.*} keys of
 * a device profile. A value that is not one of these shapes is a {@link ClusterException} saying which are.
 */
final class DeviceLimitOptions {
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)(bit|kbit|mbit|gbit)");
    private static final Map<String, Double> MBIT_PER_UNIT = Map.of("bit", 1e-6, "kbit", 1e-3, "mbit", 1.0, "gbit", 1e3);
    private static final Pattern TIME = Pattern.compile("(\\d+(?:\\.\\d+)?)(us|ms|s)");
    private static final Map<String, Double> MS_PER_UNIT = Map.of("us", 1e-3, "ms", 1.0, "s", 1e3);

    private DeviceLimitOptions() {}

    static double cpuShare(String value) {
        try {
            double share = Double.parseDouble(value);
            if (share > 0 && Double.isFinite(share)) {
                return share;
            }
        } catch (NumberFormatException e) {
            // Said below.
        }
        throw new ClusterException("--cpu " + value + " is not a share of one core like 0.4 (or 2 for two cores)");
    }

    static long memoryBytes(String value) {
        return ClusterSpec.memoryMb("--memory", value) << 20;
    }

    /** A rate in tc's units of bits per second; tc's own {@code mbps} would be megabytes, so it is refused. */
    static double linkMbit(String value) {
        Matcher m = RATE.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches() || !(Double.parseDouble(m.group(1)) > 0)) {
            throw new ClusterException("--link " + value + " is not a rate like 50mbit, 100mbit or 1gbit (bits per second:"
                    + " bit, kbit, mbit, gbit)");
        }
        return Double.parseDouble(m.group(1)) * MBIT_PER_UNIT.get(m.group(2));
    }

    static double latencyMs(String value) {
        Matcher m = TIME.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches() || !(Double.parseDouble(m.group(1)) > 0)) {
            throw new ClusterException("--latency " + value + " is not a time like 0.3ms, 300us or 2ms (us, ms, s)");
        }
        return Double.parseDouble(m.group(1)) * MS_PER_UNIT.get(m.group(2));
    }

    /** The test-bed limits of a profile: a file, or {@code NAME} for {@code profilesDir/NAME.properties}. */
    static DeviceLimits profile(Path profilesDir, String nameOrPath) {
        Path file = Path.of(nameOrPath);
        if (!Files.isRegularFile(file)) {
            file = profilesDir.resolve(nameOrPath + ".properties");
        }
        if (!Files.isRegularFile(file)) {
            throw new ClusterException("--profile " + nameOrPath + ": neither a file nor a profile in " + profilesDir);
        }
        DeviceLimits limits;
        try {
            limits = DeviceProfile.load(file).testBed();
        } catch (IllegalArgumentException e) {
            throw new ClusterException("--profile " + nameOrPath + ": " + e.getMessage());
        }
        if (!limits.any()) {
            throw new ClusterException("--profile " + nameOrPath + ": " + file + " has none of the keys testbed.cpu, "
                    + "testbed.memory.mb, testbed.link.mbit, testbed.latency.ms, so it does not say how to emulate the device");
        }
        return limits;
    }
}
