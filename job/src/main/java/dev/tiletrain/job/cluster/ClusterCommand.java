package dev.tiletrain.job.cluster;

import dev.tiletrain.tiles.DeviceLimits;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code submit/cluster}: start, stop, status and history of the cluster on this machine (loopback, or a test bed
 * of emulated devices), and the words that enter a device. Exit codes: 0 done,
 * 1 failed (the message says why), 2 bad command line, 3 {@code status} found nothing running.
 */
public final class ClusterCommand {
    static final String USAGE = """
            usage: submit/cluster start [--workers N] [--cores C] [--worker-memory M] [--master-port P] [--webui-port P]
                                        [--cpu SHARE] [--memory SIZE] [--link RATE] [--latency TIME] [--profile NAME]
                                        [--insecure]
                   submit/cluster stop
                   submit/cluster status
                   submit/cluster history [--port P]
                   submit/cluster enter-command DEVICE
              start    a standalone Master and N Workers on 127.0.0.1, each Worker one device offering executors C
                       cores and M memory (defaults: 2 workers, 1 core, 1g, master port 7077, UIs from 8080 up).
                       Secured: a new random secret in target/cluster/secret (mode 0600) authenticates every
                       daemon, driver and executor, and their connections and shuffle files are encrypted;
                       submit/train gives its driver the secret. --insecure: none of that (with a warning).
                       With any of --cpu, --memory,
                       --link, --latency or --profile each Worker is an emulated device (root only): its own
                       network namespace on a bridge with the Master, a shaped link and its own cgroups.
                         --cpu 0.4        share of one core per device (CPU quota in 10 ms periods)
                         --memory 1g      memory limit per device: its Worker, executors and (device 1) the driver;
                                          its Worker offers executors all of it unless --worker-memory says less
                         --link 50mbit    link rate per device, each direction (bit, kbit, mbit, gbit)
                         --latency 0.3ms  delay per direction on each device's link (us, ms, s; needs netem)
                         --profile NAME   the testbed.* keys of conf/profiles/NAME.properties; options given win
              stop     stops the Workers (and their executors), the Master and the history server, and removes
                       the test bed (namespaces, links, bridge, cgroups) with whatever still runs on it
              status   what runs, where the UIs are, what the master reports; per emulated device its
                       namespace, address, limits, Worker, memory now and at its peak, bytes over its link
              history  a Spark history server (port 18080) over the event logs of target/cluster/events
              enter-command DEVICE
                       the command words (one per line) that run a program on emulated device DEVICE (1, 2, …)
                       in its cgroups and network namespace: submit/train runs the driver on device 1 so""";
    private static final int HISTORY_PORT = 18080;

    private final PrintStream out;
    private final PrintStream err;

    ClusterCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new ClusterCommand(System.out, System.err).run(args));
    }

    /**
     * Runs one command; {@code --dir D} (the cluster's files) and {@code --spark-home H} are required,
     * {@code --profiles P} is where {@code --profile NAME} looks (submit/cluster passes all three).
     */
    int run(String... argv) {
        List<String> args = new ArrayList<>(List.of(argv));
        try {
            Optional<String> dir = take(args, "--dir");
            Optional<String> sparkHome = take(args, "--spark-home");
            Path profiles = Path.of(take(args, "--profiles").orElse("conf/profiles"));
            if (dir.isEmpty() || sparkHome.isEmpty()) {
                return usage("--dir and --spark-home are required (submit/cluster passes them)");
            }
            if (args.isEmpty()) {
                return usage("which command?");
            }
            ClusterLayout layout = new ClusterLayout(Path.of(dir.get()));
            String command = args.remove(0);
            switch (command) {
                case "start" -> start(cluster(sparkHome.get(), layout), layout, profiles, args);
                case "stop" -> stop(cluster(sparkHome.get(), layout), args);
                case "status" -> {
                    requireNoOptions(args);
                    return status(cluster(sparkHome.get(), layout), layout);
                }
                case "history" -> {
                    int port = take(args, "--port").map(ClusterCommand::port).orElse(HISTORY_PORT);
                    requireNoOptions(args);
                    cluster(sparkHome.get(), layout).history(ClusterSpec.LOOPBACK, port, out::println);
                }
                case "enter-command" -> {
                    if (args.size() != 1) {
                        return usage("enter-command needs one device number");
                    }
                    enterCommand(layout, integer("enter-command", args.get(0)));
                }
                default -> {
                    return usage("unknown command " + command);
                }
            }
            return 0;
        } catch (UsageException e) {
            return usage(e.getMessage());
        } catch (ClusterException e) {
            err.println("submit/cluster: " + e.getMessage());
            return 1;
        }
    }

    private void start(LoopbackCluster cluster, ClusterLayout layout, Path profiles, List<String> args) {
        ClusterSpec spec = ClusterSpec.defaults();
        spec = spec.withWorkers(take(args, "--workers").map(v -> integer("--workers", v)).orElse(spec.workers()));
        spec = spec.withCores(take(args, "--cores").map(v -> integer("--cores", v)).orElse(spec.cores()));
        spec = spec.withMasterPort(take(args, "--master-port").map(ClusterCommand::port).orElse(spec.masterPort()));
        spec = spec.withWebUiPort(take(args, "--webui-port").map(ClusterCommand::port).orElse(spec.webUiPort()));
        Optional<String> profile = take(args, "--profile");
        DeviceLimits given = DeviceLimits.NONE;
        Optional<String> v;
        if ((v = take(args, "--cpu")).isPresent()) {
            given = given.withCpuShare(DeviceLimitOptions.cpuShare(v.get()));
        }
        if ((v = take(args, "--memory")).isPresent()) {
            given = given.withMemoryBytes(DeviceLimitOptions.memoryBytes(v.get()));
        }
        if ((v = take(args, "--link")).isPresent()) {
            given = given.withLinkMbit(DeviceLimitOptions.linkMbit(v.get()));
        }
        if ((v = take(args, "--latency")).isPresent()) {
            given = given.withLatencyMs(DeviceLimitOptions.latencyMs(v.get()));
        }
        Optional<String> workerMemory = take(args, "--worker-memory");
        spec = spec.withSecured(!args.remove("--insecure"));
        requireNoOptions(args);
        DeviceLimits limits = given.over(profile.map(p -> DeviceLimitOptions.profile(profiles, p)).orElse(DeviceLimits.NONE));
        if (limits.any()) {
            spec = spec.withLimits(limits, profile);
        }
        spec = spec.withMemory(workerMemory.orElse(spec.memory()));
        LoopbackCluster.Running running = cluster.start(spec, out::println);
        for (MasterState.Worker w : running.workers()) {
            out.println("  " + w.id() + "  UI " + w.webUiAddress());
        }
        running.testBed().ifPresent(bed -> {
            for (TestBedState.Device d : bed.devices()) {
                out.println("  " + d.name() + ": namespace " + d.netns() + ", " + d.address() + ", link " + d.link());
            }
            bed.heaps().ifPresent(h -> out.println("submit/train runs the driver on device-1 with -Xmx" + h.driverMb()
                    + "m and executors of spark.executor.memory=" + h.executorMb() + "m (change them with "
                    + "TILETRAIN_DRIVER_OPTS=-Xmx... and --conf spark.executor.memory=...)"));
        });
        out.println(security(spec.secured(), layout));
        out.println("submit to " + running.masterUrl() + "; event logs go to " + layout.events().toUri()
                + " (submit/cluster history); stop with submit/cluster stop");
    }

    /** Prints the words that put a program on a device, one per line, for {@code mapfile} in a script. */
    private void enterCommand(ClusterLayout layout, int device) {
        TestBed testBed = new TestBed(layout);
        TestBedState bed = testBed.state().filter(s -> !testBed.existing().isEmpty()).orElseThrow(
                () -> new ClusterException("no test bed under " + layout.root() + "; start an emulated cluster with "
                        + "submit/cluster start --cpu/--memory/--link/--latency/--profile"));
        if (device < 1 || device > bed.devices().size()) {
            throw new ClusterException("no device " + device + ": the test bed has devices 1 to " + bed.devices().size());
        }
        TestBed.enter(TestBedHost.check(false), bed.devices().get(device - 1)).forEach(out::println);
    }

    private void stop(LoopbackCluster cluster, List<String> args) {
        requireNoOptions(args);
        List<String> stopped = cluster.stop();
        out.println(stopped.isEmpty() ? "nothing to stop: no cluster runs" : "stopped " + String.join(", ", stopped));
    }

    private int status(LoopbackCluster cluster, ClusterLayout layout) {
        LoopbackCluster.Status status = cluster.status();
        if (!status.running()) {
            out.println("not running (nothing under " + layout.root() + "); start with submit/cluster start");
            if (!status.testBedParts().isEmpty()) {
                out.println("a test bed is left (" + TestBed.describe(status.testBedParts()) + "); remove it with `"
                        + new TestBed(layout).removeCommand() + "`");
            }
            return 3;
        }
        Map<String, String> urls = status.urls();
        status.daemons().forEach((daemon, process) -> out.printf("%-10s pid %-8d %s%n", daemon, process.pid(),
                switch (daemon) {
                    case "master" -> urls.getOrDefault("master.url", "") + "  UI " + urls.getOrDefault("master.webui", "");
                    case "history" -> "UI " + urls.getOrDefault("history.webui", "");
                    default -> status.testBed().flatMap(bed -> bed.devices().stream().filter(d -> d.worker().equals(daemon))
                            .findFirst()).map(d -> "on " + d.name() + " (" + d.address() + ")").orElse("");
                }));
        status.master().ifPresentOrElse(master -> {
            out.println("master " + master.status() + ", " + master.aliveWorkers().size() + " ALIVE worker(s):");
            for (MasterState.Worker w : master.workers()) {
                out.printf("  %s %s  %d core(s), %d used  %d MiB, %d used  UI %s%n", w.id(), w.state(), w.cores(),
                        w.coresUsed(), w.memoryMb(), w.memoryUsedMb(), w.webUiAddress());
            }
            out.println(master.activeApps().isEmpty() ? "no application runs" : "applications:");
            for (MasterState.App a : master.activeApps()) {
                out.printf("  %s \"%s\" %s, %d core(s), %d MiB per executor%n", a.id(), a.name(), a.state(),
                        a.cores(), a.memoryPerExecutorMb());
            }
        }, () -> out.println(status.masterProblem()));
        out.println(security(urls.containsKey("secret"), layout));
        status.testBed().ifPresent(bed -> devices(bed, status));
        out.println("event logs: " + urls.getOrDefault("events.dir", layout.events().toUri().toString())
                + "  logs: " + layout.logs());
        return 0;
    }

    private static String security(boolean secured, ClusterLayout layout) {
        return secured ? "secured: authenticated with the secret in " + layout.secret() + ", RPC, block transfers and "
                + "shuffle files encrypted" : "NOT secured (started with --insecure)";
    }

    /** The test bed's devices: where each is, its limits, its Worker, its memory and its link's bytes so far. */
    private void devices(TestBedState bed, LoopbackCluster.Status status) {
        out.println("test bed " + bed.id() + " (state " + TestBedState.file(new ClusterLayout(bed.dir())) + "): bridge "
                + bed.bridge() + " " + bed.bridgeAddress() + "/24, each device " + bed.limits()
                + bed.profile().map(p -> " (profile " + p + ")").orElse(""));
        out.printf("  %-9s %-11s %-13s %-8s %-26s %-23s %-9s %s%n", "device", "namespace", "address", "worker", "UI",
                "memory now / peak MiB", "OOM kills", "link bytes in / out");
        Map<String, TestBedMeter.DeviceReading> readings = new HashMap<>();
        status.devices().forEach(r -> readings.put(r.device(), r));
        for (TestBedState.Device d : bed.devices()) {
            ProcessHandle worker = status.daemons().get(d.worker());
            String ui = status.master().flatMap(m -> m.workers().stream().filter(MasterState.Worker::alive)
                    .map(MasterState.Worker::webUiAddress).filter(a -> a.contains("//" + d.address() + ":")).findFirst())
                    .orElse("-");
            TestBedMeter.DeviceReading r = readings.get(d.name());
            out.printf("  %-9s %-11s %-13s %-8s %-26s %-23s %-9s %s%n", d.name(), d.netns(), d.address(),
                    worker == null ? "-" : Long.toString(worker.pid()), ui,
                    r == null ? "-" : String.format("%.1f / %.1f", r.memoryBytes() / 1048576.0, r.peakMemoryBytes() / 1048576.0),
                    r == null ? "-" : Long.toString(r.oomKills()), r == null ? "-" : r.rxBytes() + " / " + r.txBytes());
        }
    }

    private static LoopbackCluster cluster(String sparkHome, ClusterLayout layout) {
        return new LoopbackCluster(SparkHome.at(Path.of(sparkHome)), layout);
    }

    private int usage(String problem) {
        err.println("submit/cluster: " + problem);
        err.println(USAGE);
        return 2;
    }

    /** Removes {@code option value} from the arguments. */
    private static Optional<String> take(List<String> args, String option) {
        int i = args.indexOf(option);
        if (i < 0) {
            return Optional.empty();
        }
        if (i + 1 >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        args.remove(i);
        return Optional.of(args.remove(i));
    }

    private static void requireNoOptions(List<String> args) {
        if (!args.isEmpty()) {
            throw new UsageException("unknown argument(s) " + String.join(" ", args));
        }
    }

    private static int integer(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " " + value + " is not a whole number");
        }
    }

    private static int port(String value) {
        int port = integer("port", value);
        if (port < 1 || port > 65535) {
            throw new UsageException("port " + value + " is not in 1..65535");
        }
        return port;
    }

    private static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
