package dev.tiletrain.tiles.cli;

import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;
import dev.tiletrain.tiles.DeviceProbe;
import dev.tiletrain.tiles.DeviceProfile;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code tiletrain profile}: measures this machine's convolution and memory-bound rates with the
 * project's own layers ({@link DeviceProbe}, one child JVM per OpenBLAS thread count, since OpenBLAS
 * reads its thread count once, when it loads), takes what it cannot measure alone (link, latency, Spark's
 * stage overhead, tensor memory) from options whose defaults describe a loopback cluster on this machine,
 * and writes a {@link DeviceProfile} file with every number's source beside it.
 */
public final class ProfileCommand {
    private static final String USAGE = """
            Usage: tiletrain profile [--out FILE] [--name NAME] [--cfg NET.cfg] [--input SIZE] [--repeats N]
                                     [--clock wall|cpu] [--cores N] [--memory-mb MB] [--link-mbps MBIT]
                                     [--link-latency-ms MS] [--stage-overhead-ms MS] [--pass-overhead-ms MS]
                                     [--spark-mb-ms MS] [--driver-share S]

            Measures this machine for the planner's cost model and writes a device profile (properties).
            Convolution GFLOP/s: training forward and backward of every convolution of the cfg at SIZE x SIZE,
            one image, best of N repeats, in a child JVM per thread count 1, 2 and 4 (those up to --cores).
            Memory GB/s: the same for the batch norms, activations and max-pools. The rest is given:

              --out FILE               default conf/profiles/this-machine.properties
              --name NAME              default this-machine
              --cfg NET.cfg            the layers to measure (default conf/yolov2-voc-prefix16.cfg)
              --input SIZE             input side in pixels (default 416)
              --repeats N              timed repeats per layer after one warm-up (default 5)
              --clock wall|cpu         wall (default): the best wall time of the repeats; cpu: the process's CPU
                                       time per thread, for a machine that other work keeps busy (both are
                                       written in the file's comments)
              --cores N                the device's cores (default: the processors this JVM sees)
              --memory-mb MB           memory for tensors per executor (default 600: a loopback Worker's 1g
                                       executor less Spark's 300 MB reserve and ~100 MB of Spark's own)
              --link-mbps MBIT         link bandwidth (default 4000: Spark's shuffle on loopback, a guess)
              --link-latency-ms MS     one-way link latency (default 1: a shuffle fetch on loopback, a guess)
              --stage-overhead-ms MS   Spark's cost per stage (default 50: 360 ms for a 7-stage iteration here)
              --pass-overhead-ms MS    Spark's cost per pass beyond its stages (default 50, a guess)
              --spark-mb-ms MS         CPU ms per MB of tensors through Spark beside the link (default 9.1)
              --driver-share S         share of its CPU the driver takes on its device, below 1 (default 0.15)
            """;

    private static final Set<String> OPTIONS = Set.of("out", "name", "cfg", "input", "repeats", "clock", "cores", "memory-mb",
            "link-mbps", "link-latency-ms", "stage-overhead-ms", "pass-overhead-ms", "spark-mb-ms",
            "driver-share");

    private ProfileCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Arguments a = Arguments.parse(args, OPTIONS);
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            return profile(a, out);
        } catch (UsageException | CfgException | IllegalArgumentException e) {
            err.println("profile: " + e.getMessage());
            err.println("Try 'tiletrain profile --help'.");
            return 2;
        } catch (IOException | IllegalStateException e) {
            err.println("profile: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("profile: interrupted");
            return 1;
        }
    }

    private static int profile(Arguments a, PrintStream out) throws UsageException, IOException, InterruptedException {
        Path file = Path.of(a.get("out", "conf/profiles/this-machine.properties"));
        List<Given> given = List.of(
                given(a, "memory-mb", "memory.mb", 600, "Tensor memory per executor, MB. Default: a loopback Worker's "
                        + "1g executor less the 300 MB of heap Spark reserves (RESERVED_SYSTEM_MEMORY_BYTES in Spark's "
                        + "UnifiedMemoryManager) and ~100 MB of Spark's own."),
                given(a, "link-mbps", "link.mbps", 4000, "Link bandwidth, Mbit/s. Default (a guess, not measured): "
                        + "a loopback socket moves tens of Gbit/s; Spark's shuffle is bounded by Kryo (de)serialisation "
                        + "and the shuffle files, taken as ~500 MB/s."),
                given(a, "link-latency-ms", "link.latency.ms", 1, "One-way link latency, ms. Default (a guess): a "
                        + "shuffle block fetch through Netty on loopback, not a raw socket's ~0.03 ms."),
                given(a, "stage-overhead-ms", "stage.overhead.ms", 50, "Spark's scheduling cost per stage, ms. Default "
                        + "(derived from a measurement): a training iteration of 7 plain stages and a 4 MB treeAggregate "
                        + "cost ~360 ms beyond its tasks on a loopback cluster of this machine: ~50 ms a stage."),
                given(a, "pass-overhead-ms", "pass.overhead.ms", 50, "Spark's cost per pass beyond its stages (the "
                        + "forward and backward jobs, the driver's hand-offs around the tail), ms. Default (a guess): "
                        + "about a stage's, as on the loopback cluster a whole iteration of the demo takes ~220 ms."),
                given(a, "spark-mb-ms", "spark.mb.ms", 9.1, "CPU ms to move a MB of tensors through Spark "
                        + "(serialise, encrypt, copy, deserialise) beside the link. Default (derived from a fit): the "
                        + "first fit on the test bed, 22.8 ms at 0.4 of a core, times 0.4 for a whole core of this "
                        + "machine (the fit of the whole scaling matrix gives 7.8, which would make it 3.1)."),
                given(a, "driver-share", "driver.share", 0.15, "Share of the device's CPU the driver takes on the "
                        + "device that runs it while tiles compute. Default (a guess): the test bed's measured 0.35 at "
                        + "0.4 of a core, the same work on a whole core."));
        int input = a.integer("input", 416, 8, 4096), repeats = a.integer("repeats", 5, 1, 100);
        int cores = a.integer("cores", Runtime.getRuntime().availableProcessors(), 1, 1024);
        String clock = a.get("clock", "wall");
        if (!clock.equals("wall") && !clock.equals("cpu")) {
            throw new UsageException("--clock must be wall or cpu, got '" + clock + "'");
        }
        String name = a.get("name", "this-machine");
        if (!name.matches("[\\w.-]+")) {
            throw new UsageException("--name '" + name + "' must be letters, digits, '.', '-' or '_'");
        }
        Path cfg = Path.of(a.get("cfg", "conf/yolov2-voc-prefix16.cfg"));
        if (!Files.isReadable(cfg)) {
            throw new UsageException("--cfg " + cfg + " is not a readable file");
        }
        long heapMb = DeviceProbe.heapMb(DeviceProbe.network(cfg, input));
        Map<Integer, DeviceProbe.Rates> rates = new LinkedHashMap<>();
        for (int threads : new int[] {1, 2, 4}) {
            if (threads <= cores) {
                out.printf("profile: measuring %s at %dx%d with %d OpenBLAS thread(s) ...%n", cfg, input, input, threads);
                rates.put(threads, probe(cfg, input, repeats, threads, heapMb));
                DeviceProbe.Rates r = rates.get(threads);
                out.printf("profile:   convolution %.1f GFLOP/s (by CPU time %.1f), memory-bound layers %.2f GB/s (%.2f)%n",
                        r.conv().wall(), r.conv().cpu(), r.memory().wall(), r.memory().cpu());
            }
        }
        String text = text(name, cfg, input, repeats, clock, cores, rates, given);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
        DeviceProfile.load(file);
        out.println("profile: wrote " + file);
        return 0;
    }

    /** A profile key whose value comes from an option or its documented default. */
    private record Given(String key, double value, String comment) {}

    private static Given given(Arguments a, String option, String key, double fallback, String why) throws UsageException {
        if (!a.has(option)) {
            return new Given(key, fallback, why);
        }
        String v = a.get(option, "");
        try {
            double d = Double.parseDouble(v.trim());
            if (d > 0 && Double.isFinite(d)) {
                return new Given(key, d, why.substring(0, why.indexOf(". ") + 1) + " Given: --" + option + " " + v.trim() + ".");
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--" + option + " must be a positive number, got '" + v + "'");
    }

    /** Runs {@link DeviceProbe} in a child JVM whose OpenBLAS uses {@code threads} threads. */
    private static DeviceProbe.Rates probe(Path cfg, int input, int repeats, int threads, long heapMb)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // Module flags the layers may need; not this JVM's heap, agents or debugger.
            if (arg.startsWith("--add-") || arg.startsWith("--enable-")) {
                command.add(arg);
            }
        }
        // A fixed, pre-touched heap, so that page faults of a growing heap do not land in the timed calls.
        command.addAll(List.of("-Xms" + heapMb + "m", "-Xmx" + heapMb + "m", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"),
                DeviceProbe.class.getName(), cfg.toString(), Integer.toString(input), Integer.toString(repeats),
                Integer.toString(threads)));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (code != 0) {
            throw new IllegalStateException("the probe with " + threads + " thread(s) exited with " + code + ":\n" + output);
        }
        return DeviceProbe.Rates.parse(output);
    }

    /** The profile file: each key after the comment that says where its number comes from. */
    static String text(String name, Path cfg, int input, int repeats, String clock, int cores,
                       Map<Integer, DeviceProbe.Rates> rates, List<Given> given) {
        DeviceProbe.Rates one = rates.get(1);
        StringBuilder s = new StringBuilder();
        comment(s, "Device profile '" + name + "' of " + host() + ", measured by `tiletrain profile` on " + LocalDate.now()
                + " (" + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " processors visible, GEMM: " + one.gemm() + ").");
        comment(s, "Rates count work as the cost model does (LayerCost): a convolution's training is 3 x 2 x weights x "
                + "output positions FLOPs; a memory-bound layer's is 3 x (its forward's input and output bytes).");
        key(s, "name", name);
        String by = clock.equals("cpu") ? "the process's CPU time per thread, averaged over " + repeats + " repeats"
                : "the best wall time of " + repeats + " repeats";
        comment(s, "Measured: convolution training GFLOP/s (forward, input gradient, weight gradient) over every "
                + "convolution of " + cfg + " at " + input + "x" + input + ", one image, whole maps, by " + by
                + " after a warm-up, in a child JVM with OPENBLAS_NUM_THREADS set to the thread count.");
        int measured = 1;
        for (int threads : new int[] {1, 2, 4}) {
            if (rates.containsKey(threads)) {
                measured = threads;
                DeviceProbe.Rates r = rates.get(threads);
                comment(s, threads + " thread(s): " + format(r.conv().wall()) + " by wall time, " + format(r.conv().cpu())
                        + " by CPU time (which other processes taking cores do not lower); load average "
                        + format(r.load()) + " on " + Runtime.getRuntime().availableProcessors() + " processors.");
            } else {
                comment(s, "Not measured: " + cores + " core(s) here, so the " + measured + "-thread rate.");
            }
            key(s, "conv.gflops." + threads, format(rates.get(measured).conv().by(clock)));
        }
        comment(s, "Measured: GB/s of the batch norms (training statistics), activations and max-pools of the same "
                + "network, one thread, same method: " + format(one.memory().wall()) + " by wall time, "
                + format(one.memory().cpu()) + " by CPU time. For comparison, System.arraycopy of 64 MiB ran at "
                + format(one.copyGBps()) + " GB/s (bytes read plus written).");
        key(s, "memory.gbps", format(one.memory().by(clock)));
        for (Given g : given) {
            comment(s, g.comment());
            key(s, g.key(), format(g.value()));
        }
        comment(s, "The device's cores: one tile per core, or one tile's GEMM on all of them.");
        key(s, "cores", Integer.toString(cores));
        return s.toString();
    }

    private static void comment(StringBuilder s, String text) {
        s.append('\n');
        StringBuilder line = new StringBuilder("#");
        for (String word : text.split(" ")) {
            if (line.length() + word.length() > 110) {
                s.append(line).append('\n');
                line = new StringBuilder("#");
            }
            line.append(' ').append(word);
        }
        s.append(line).append('\n');
    }

    private static void key(StringBuilder s, String key, String value) {
        s.append(key).append('=').append(value).append('\n');
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this machine";
        }
    }
}
