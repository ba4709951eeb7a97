package dev.tiletrain.job.cluster;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;

/**
 * What the test bed's tests run on a device (entered with {@link LoopbackClusterExtension#onDevice}), one line
 * of answer on stdout:
 * <ul>
 *   <li>{@code sink ADDRESS PORT}: prints {@code listening}, takes one connection and reads it to its end,
 *       then prints {@code received BYTES NANOS} from its first byte to its end;
 *   <li>{@code send ADDRESS PORT BYTES}: sends that many bytes there;
 *   <li>{@code spin SECONDS}: spins a second to warm up, then SECONDS more, and prints {@code share S SUM}: the
 *       CPU time this process used over the wall time, and the sum it spun on (printed so the loop stays);
 *   <li>{@code meter STATE_FILE}: prints {@link TestBedMeter}'s reading of each device, one line each.
 * </ul>
 */
public final class EmulatedDeviceProbe {
    private EmulatedDeviceProbe() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "sink" -> sink(args[1], Integer.parseInt(args[2]));
            case "send" -> send(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
            case "spin" -> spin(Double.parseDouble(args[1]));
            case "meter" -> TestBedMeter.open(Path.of(args[1])).read().forEach(r -> System.out.println(r.device() + " "
                    + r.address() + " " + r.rxBytes() + " " + r.txBytes() + " " + r.memoryBytes() + " " + r.peakMemoryBytes()));
            default -> throw new IllegalArgumentException("no probe " + args[0]);
        }
    }

    private static void sink(String address, int port) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(address), port));
            System.out.println("listening");
            System.out.flush();
            try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
                byte[] buffer = new byte[1 << 16];
                int n = in.read(buffer);
                long t0 = System.nanoTime();
                long bytes = Math.max(n, 0);
                while ((n = in.read(buffer)) > 0) {
                    bytes += n;
                }
                System.out.println("received " + bytes + " " + (System.nanoTime() - t0));
            }
        }
    }

    private static void send(String address, int port, long bytes) throws Exception {
        try (Socket socket = new Socket(address, port); OutputStream out = socket.getOutputStream()) {
            byte[] buffer = new byte[1 << 16];
            for (long left = bytes; left > 0; left -= buffer.length) {
                out.write(buffer, 0, (int) Math.min(buffer.length, left));
            }
        }
    }

    private static void spin(double seconds) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long sum = spinFor(1e9, 0);
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        sum = spinFor(seconds * 1e9, sum);
        double share = (os.getProcessCpuTime() - cpu0) / (double) (System.nanoTime() - t0);
        System.out.println("share " + share + " " + sum);
    }

    /** Busy work; its sum is printed, so the compiler cannot remove it. */
    private static long spinFor(double nanos, long sum) {
        long end = System.nanoTime() + (long) nanos;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                sum += i ^ sum >>> 3;
            }
        }
        return sum;
    }
}
