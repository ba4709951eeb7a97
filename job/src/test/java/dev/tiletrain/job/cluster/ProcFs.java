package dev.tiletrain.job.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** What Linux's {@code /proc} tells about a process: what {@code ps} shows of it, its environment, its sockets. */
public final class ProcFs {
    private static final Path PROC = Path.of("/proc");
    private static final String LISTEN = "0A";

    private ProcFs() {}

    /** Every process's command line, as {@code ps} shows it to every user (arguments joined by spaces). */
    public static Map<Long, String> commandLines() {
        Map<Long, String> lines = new LinkedHashMap<>();
        try (Stream<Path> entries = Files.list(PROC)) {
            entries.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                String line = commandLine(Long.parseLong(p.getFileName().toString()));
                if (!line.isEmpty()) {
                    lines.put(Long.parseLong(p.getFileName().toString()), line);
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return lines;
    }

    /** The command line of one process; empty once it has ended (or for a kernel thread). */
    public static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(PROC.resolve(pid + "/cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ').strip();
        } catch (IOException ended) {
            return "";
        }
    }

    /** A process's environment variables (readable by its owner and root only); empty once it has ended. */
    public static Map<String, String> environment(long pid) {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            for (String entry : new String(Files.readAllBytes(PROC.resolve(pid + "/environ")), StandardCharsets.UTF_8)
                    .split("\0")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
        } catch (IOException ended) {
            return Map.of();
        }
        return env;
    }

    /** The TCP addresses a process listens on, read in its own network namespace. */
    public static List<InetSocketAddress> listening(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(PROC.resolve(pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // The descriptor was closed between the listing and the read.
                }
            }
        }
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            List<String> rows = Files.readAllLines(PROC.resolve(pid + "/net/" + table));
            for (String row : rows.subList(1, rows.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                String[] f = row.trim().split("\\s+");
                if (f[3].equals(LISTEN) && inodes.contains(f[9])) {
                    String[] local = f[1].split(":");
                    addresses.add(new InetSocketAddress(address(local[0]), Integer.parseInt(local[1], 16)));
                }
            }
        }
        return addresses;
    }

    /** An address of /proc/net/tcp{,6}: 32-bit words in hex, each in the machine's (little-endian) order. */
    private static InetAddress address(String hex) throws UnknownHostException {
        byte[] bytes = HexFormat.of().parseHex(hex);
        for (int w = 0; w < bytes.length; w += 4) {
            for (int i = 0; i < 2; i++) {
                byte b = bytes[w + i];
                bytes[w + i] = bytes[w + 3 - i];
                bytes[w + 3 - i] = b;
            }
        }
        return InetAddress.getByAddress(bytes);
    }
}
