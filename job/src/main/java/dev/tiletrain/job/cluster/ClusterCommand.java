package dev.tiletrain.job.cluster;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code submit/cluster}: start, stop, status and history of the loopback cluster. Exit codes: 0 done,
 * 1 failed (the message says why), 2 bad command line, 3 {@code status} found nothing running.
 */
public final class ClusterCommand {
    static final String USAGE = """
            usage: submit/cluster start [--workers N] [--cores C] [--memory M] [--master-port P] [--webui-port P]
                   submit/cluster stop
                   submit/cluster status
                   submit/cluster history [--port P]
              start    a standalone Master and N Workers on 127.0.0.1, each Worker one emulated device
                       (defaults: 2 workers, 1 core and 1g each, master port 7077, UIs from 8080 up)
              stop     stops the Workers (and their executors), the Master and the history server
              status   what runs, where the UIs are, what the master reports
              history  a Spark history server (port 18080) over the event logs of target/cluster/events""";
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

    /** Runs one command; {@code --dir D} (the cluster's files) and {@code --spark-home H} are required. */
    int run(String... argv) {
        List<String> args = new ArrayList<>(List.of(argv));
        try {
            Optional<String> dir = take(args, "--dir");
            Optional<String> sparkHome = take(args, "--spark-home");
            if (dir.isEmpty() || sparkHome.isEmpty()) {
                return usage("--dir and --spark-home are required (submit/cluster passes them)");
            }
            if (args.isEmpty()) {
                return usage("which command?");
            }
            ClusterLayout layout = new ClusterLayout(Path.of(dir.get()));
            String command = args.remove(0);
            switch (command) {
                case "start" -> start(cluster(sparkHome.get(), layout), layout, args);
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

    private void start(LoopbackCluster cluster, ClusterLayout layout, List<String> args) {
        ClusterSpec spec = ClusterSpec.defaults();
        spec = spec.withWorkers(take(args, "--workers").map(v -> integer("--workers", v)).orElse(spec.workers()));
        spec = spec.withCores(take(args, "--cores").map(v -> integer("--cores", v)).orElse(spec.cores()));
        spec = spec.withMemory(take(args, "--memory").orElse(spec.memory()));
        spec = spec.withMasterPort(take(args, "--master-port").map(ClusterCommand::port).orElse(spec.masterPort()));
        spec = spec.withWebUiPort(take(args, "--webui-port").map(ClusterCommand::port).orElse(spec.webUiPort()));
        requireNoOptions(args);
        LoopbackCluster.Running running = cluster.start(spec, out::println);
        for (MasterState.Worker w : running.workers()) {
            out.println("  " + w.id() + "  UI " + w.webUiAddress());
        }
        out.println("submit to " + running.masterUrl() + "; event logs go to " + layout.events().toUri()
                + " (submit/cluster history); stop with submit/cluster stop");
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
            return 3;
        }
        Map<String, String> urls = status.urls();
        status.daemons().forEach((daemon, process) -> out.printf("%-10s pid %-8d %s%n", daemon, process.pid(),
                switch (daemon) {
                    case "master" -> urls.getOrDefault("master.url", "") + "  UI " + urls.getOrDefault("master.webui", "");
                    case "history" -> "UI " + urls.getOrDefault("history.webui", "");
                    default -> "";
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
        out.println("event logs: " + urls.getOrDefault("events.dir", layout.events().toUri().toString())
                + "  logs: " + layout.logs());
        return 0;
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
