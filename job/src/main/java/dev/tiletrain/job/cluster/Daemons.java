package dev.tiletrain.job.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * The JVMs of one loopback cluster ({@code master}, {@code worker-<i>}, {@code history}), each with a pid
 * file and a log under the {@link ClusterLayout}. They are started in their own session so that they
 * outlive the command that started them and ignore its terminal's hangup and Ctrl-C.
 */
final class Daemons {
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final String DAEMON_HEAP = "-Xmx256m";
    private static final List<String> SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid")
            .filter(p -> Files.isExecutable(Path.of(p))).limit(1).toList();

    private static final Pattern DAEMON_NAME = Pattern.compile("(master|history|worker-\\d+)\\.pid");

    /** master, worker-1, worker-2, …, worker-10, history. */
    static final Comparator<String> START_ORDER = Comparator.comparingInt(Daemons::rank);

    private final SparkHome home;
    private final ClusterLayout layout;

    /**
     * Where a daemon runs: the address it binds and advertises, the command words that put it there (an
     * emulated device's cgroups and namespace, see {@link TestBed#enter}), and its JVM's own options.
     */
    record Placement(String host, List<String> enter, List<String> jvmOptions) {
        /** On this machine's own network, at {@code host}. */
        static Placement onHost(String host) {
            return new Placement(host, List.of(), List.of(DAEMON_HEAP));
        }
    }

    Daemons(SparkHome home, ClusterLayout layout) {
        this.home = home;
        this.layout = layout;
    }

    /** Which Spark main class a daemon name runs: how a pid is told apart from a recycled one. */
    static String mainClass(String daemon) {
        if (daemon.equals("master")) {
            return "org.apache.spark.deploy.master.Master";
        }
        if (daemon.startsWith("worker-")) {
            return "org.apache.spark.deploy.worker.Worker";
        }
        if (daemon.equals("history")) {
            return "org.apache.spark.deploy.history.HistoryServer";
        }
        throw new IllegalArgumentException("no such daemon: " + daemon);
    }

    /**
     * Starts {@code daemon} there with Spark options {@code conf} (as -D properties), main-class arguments and
     * {@code environment} added to its environment (which, unlike the command line, other users cannot read).
     */
    Process launch(String daemon, Placement placement, Map<String, String> conf, Map<String, String> environment,
            List<String> args) {
        List<String> command = new ArrayList<>(SETSID);
        command.addAll(placement.enter());
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(placement.jvmOptions());
        // The same module flags spark-submit and the Worker give every Spark JVM on Java 17+.
        command.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
        conf.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-cp", home.classpath(), mainClass(daemon)));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.log(daemon).toFile()));
        Map<String, String> env = builder.environment();
        env.put("SPARK_HOME", home.dir().toString());
        env.put("SPARK_SCALA_VERSION", home.scalaBinaryVersion());
        env.put("SPARK_LOCAL_IP", placement.host());
        env.put("SPARK_LOCAL_HOSTNAME", placement.host());
        env.putAll(environment);
        try {
            Files.createDirectories(layout.pids());
            Files.createDirectories(layout.logs());
            Process process = builder.start();
            process.getOutputStream().close();
            Files.writeString(layout.pidFile(daemon), process.pid() + "\n");
            return process;
        } catch (IOException e) {
            throw new ClusterException("cannot start " + daemon + ": " + e.getMessage());
        }
    }

    /** The daemons whose pid file names a live process running that daemon's main class, by name. */
    Map<String, ProcessHandle> live() {
        Map<String, ProcessHandle> live = new TreeMap<>(START_ORDER);
        pidFiles().forEach((daemon, pid) -> running(daemon, pid).ifPresent(h -> live.put(daemon, h)));
        return live;
    }

    /** Deletes pid files of daemons that no longer run (a crash, a reboot); returns their names. */
    List<String> forgetStale() {
        List<String> stale = new ArrayList<>();
        pidFiles().forEach((daemon, pid) -> {
            if (running(daemon, pid).isEmpty()) {
                stale.add(daemon);
                delete(layout.pidFile(daemon));
            }
        });
        return stale;
    }

    /**
     * SIGTERM to all at once (a Worker's shutdown hook then kills its executors), SIGKILL to any that
     * outlives the grace time.
     */
    void stop(Map<String, ProcessHandle> daemons) {
        daemons.values().forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        daemons.forEach((daemon, process) -> {
            try {
                process.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
            delete(layout.pidFile(daemon));
        });
    }

    /** The last {@code n} lines of a daemon's log, to show why it stopped. */
    String logTail(String daemon, int n) {
        Path log = layout.log(daemon);
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "last lines of " + log + ":\n  "
                    + String.join("\n  ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException e) {
            return "no log at " + log;
        }
    }

    private static int rank(String daemon) {
        return switch (daemon) {
            case "master" -> 0;
            case "history" -> Integer.MAX_VALUE;
            default -> Integer.parseInt(daemon.substring("worker-".length()));
        };
    }

    private Optional<ProcessHandle> running(String daemon, long pid) {
        String mainClass = mainClass(daemon);
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().arguments().map(a -> Arrays.asList(a).contains(mainClass)).orElse(false));
    }

    private Map<String, Long> pidFiles() {
        Map<String, Long> pids = new TreeMap<>(START_ORDER);
        if (!Files.isDirectory(layout.pids())) {
            return pids;
        }
        try (Stream<Path> files = Files.list(layout.pids())) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString().replaceFirst("\\.pid$", "");
                if (!DAEMON_NAME.matcher(f.getFileName().toString()).matches()) {
                    continue;
                }
                try {
                    pids.put(name, Long.parseLong(Files.readString(f).trim()));
                } catch (NumberFormatException e) {
                    throw new ClusterException(f + " does not hold a process id; delete it");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
