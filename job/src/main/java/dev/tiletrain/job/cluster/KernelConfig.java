package dev.tiletrain.job.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * The build options of the running kernel, where it publishes them ({@code /proc/config.gz}, or
 * {@code /boot/config-<release>}): whether a feature the test bed needs was built in or as a module. Where
 * neither file exists nothing is known, and {@code tc} itself says what is missing when it is asked.
 *
 * @param options {@code CONFIG_…} to {@code y}, {@code m} or {@code n} (from "# CONFIG_… is not set")
 */
record KernelConfig(String source, Map<String, String> options) {
    /** The delay queueing discipline that {@code --latency} needs (Debian's kernels build it as a module). */
    static final String NETEM = "CONFIG_NET_SCH_NETEM";
    static final KernelConfig UNKNOWN = new KernelConfig("nowhere", Map.of());

    static KernelConfig running() {
        Path proc = Path.of("/proc/config.gz");
        if (Files.isReadable(proc)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(proc))) {
                return parse(proc.toString(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                return UNKNOWN;
            }
        }
        String release = System.getProperty("os.version");
        Path boot = Path.of("/boot", "config-" + release);
        try {
            return Files.isReadable(boot) ? parse(boot.toString(), Files.readString(boot)) : UNKNOWN;
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    static KernelConfig parse(String source, String text) {
        Map<String, String> options = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("CONFIG_") && line.contains("=")) {
                options.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            } else if (line.startsWith("# CONFIG_") && line.endsWith(" is not set")) {
                options.put(line.substring(2, line.length() - " is not set".length()), "n");
            }
        }
        return new KernelConfig(source, options);
    }

    /** Known to be missing: the config says so (an option absent from a published config is missing too). */
    boolean lacks(String option) {
        String value = options.get(option);
        return !options.isEmpty() && !"y".equals(value) && !"m".equals(value);
    }
}
