package dev.tiletrain.job.cluster;

import dev.tiletrain.tiles.DeviceLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A real Spark standalone cluster on one machine: a Master and N Workers, each Worker one device, started
 * from the jars of a {@link SparkHome}, plus an optional history server over the event logs. Unless started
 * insecure, Master, Workers and the applications' drivers and executors authenticate with a secret of the
 * cluster's own and encrypt what they send ({@link ClusterSecurity}). The Workers run
 * on loopback, or, with {@link ClusterSpec#limits}, each on an emulated device of a {@link TestBed} (its own
 * network namespace, link and cgroups), the Master on the test bed's bridge. {@code submit/cluster} and the
 * tests' cluster fixtures drive this class.
 */
public final class LoopbackCluster {
    /** Generous: Master plus Workers take ~15 s on a quiet 2-core machine, several times that when busy. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final int LOG_LINES = 15;

    private final SparkHome home;
    private final ClusterLayout layout;

    public LoopbackCluster(SparkHome home, ClusterLayout layout) {
        this.home = home;
        this.layout = layout;
    }

    /**
     * A cluster that runs: where to submit to, the master's UI, its ALIVE Workers, and on an emulated
     * cluster its test bed.
     */
    public record Running(String masterUrl, URI masterWebUi, List<MasterState.Worker> workers,
            Optional<TestBedState> testBed) {}

    /**
     * What runs under the layout now, what the master says if it answers, and what exists of a test bed with
     * each device's counters (empty for a loopback cluster).
     */
    public record Status(Map<String, ProcessHandle> daemons, Map<String, String> urls,
            Optional<MasterState> master, String masterProblem, Optional<TestBedState> testBed,
            List<TestBedState.Resource> testBedParts, List<TestBedMeter.DeviceReading> devices) {
        public boolean running() {
            return !daemons.isEmpty();
        }
    }

    /**
     * Starts the Master, waits until it is ALIVE, then starts the Workers and waits until all are ALIVE.
     * Workers start only after the Master is up: one that registers with a Master still electing itself
     * is refused and retries only ~10 s later. A secured cluster's secret is written before anything starts.
     * An emulated cluster first makes its {@link TestBed}, after checking that this machine has what it needs;
     * a start that fails removes it again.
     */
    public Running start(ClusterSpec spec, Consumer<String> progress) {
        Daemons daemons = new Daemons(home, layout);
        Map<String, ProcessHandle> live = daemons.live();
        if (live.containsKey("master") || live.keySet().stream().anyMatch(d -> d.startsWith("worker-"))) {
            throw new ClusterException("a cluster is already running under " + layout.root() + " ("
                    + describe(live) + ", " + readState().getOrDefault("master.url", "master URL unknown")
                    + "); stop it first with `submit/cluster stop`");
        }
        daemons.forgetStale().forEach(d -> progress.accept("forgot the pid file of " + d + ", which no longer runs"));
        TestBed testBed = new TestBed(layout);
        testBed.requireNoneLeft();
        Optional<TestBedHost> host = Optional.empty();
        if (spec.emulated()) {
            host = Optional.of(TestBedHost.check(spec.limits().latencyMs().isPresent()));
            warnAboutOversubscription(spec, progress);
        } else {
            requireFree(spec);
        }
        try {
            Files.createDirectories(layout.events());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long t0 = System.nanoTime();
        Optional<TestBedHost> emulating = host;
        Map<String, String> secret = secretEnvironment(spec, progress);
        Map<String, String> security = spec.secured() ? ClusterSecurity.DAEMON_CONF : Map.of();
        return startOrUndo(daemons, spec.emulated() ? testBed::remove : () -> List.of(), started -> {
            ClusterSpec s = spec;
            Optional<TestBedState> bed = Optional.empty();
            if (emulating.isPresent()) {
                bed = Optional.of(testBed.create(emulating.get(), spec.workers(), spec.limits(), spec.profile(), progress));
                s = spec.withHost(bed.get().bridgeAddress());
                requireFree(s);
                bed.get().heaps().flatMap(h -> h.crowding(spec.limits().memoryBytes().getAsLong()))
                        .ifPresent(w -> progress.accept("warning: " + w));
            }
            ClusterSpec cluster = s;
            URI webUi = URI.create(cluster.masterWebUi());
            Map<String, String> masterConf = new LinkedHashMap<>(security);
            masterConf.put("spark.master.rest.enabled", "false");
            started.put("master", daemons.launch("master", Daemons.Placement.onHost(cluster.host()), masterConf, secret,
                    List.of("--host", cluster.host(), "--port", Integer.toString(cluster.masterPort()),
                            "--webui-port", Integer.toString(cluster.webUiPort()))));
            poll(daemons, started, "the master to become ALIVE", () -> master(webUi).filter(MasterState::alive));
            progress.accept(String.format("master %s ALIVE after %.1f s (UI %s)", cluster.masterUrl(), seconds(t0), webUi));
            for (int i = 1; i <= cluster.workers(); i++) {
                Daemons.Placement placement = emulating.isPresent()
                        ? onDevice(emulating.get(), bed.get().devices().get(i - 1))
                        : Daemons.Placement.onHost(cluster.host());
                started.put("worker-" + i, launchWorker(daemons, cluster, i, placement, security, secret));
            }
            MasterState state = poll(daemons, started, cluster.workers() + " worker(s) to register",
                    () -> master(webUi).filter(m -> m.aliveWorkers().size() >= cluster.workers()));
            progress.accept(String.format("%d worker(s) ALIVE after %.1f s, %d core(s) and %s each", cluster.workers(),
                    seconds(t0), cluster.cores(), cluster.memory()));
            Map<String, String> urls = readState();
            urls.put("master.url", cluster.masterUrl());
            urls.put("master.webui", webUi.toString());
            urls.put("events.dir", layout.events().toUri().toString());
            if (cluster.secured()) {
                urls.put("secret", layout.secret().toString());
                urls.put("driver.conf", ClusterSecurity.driverConfWords());
            } else {
                urls.remove("secret");
                urls.remove("driver.conf");
            }
            writeState(urls);
            return new Running(cluster.masterUrl(), webUi, state.aliveWorkers(), bed);
        });
    }

    /**
     * Starts Worker {@code i} (1-based) of a running loopback cluster again after it died, as a device that
     * comes back, with the cluster's secret if it has one, and waits until the master counts it ALIVE.
     */
    public void restartWorker(ClusterSpec spec, int i, Consumer<String> progress) {
        if (spec.emulated()) {
            throw new ClusterException("restarting a Worker of a test bed is not supported; restart the cluster");
        }
        Daemons daemons = new Daemons(home, layout);
        daemons.forgetStale();
        String worker = "worker-" + i;
        if (!daemons.live().containsKey("master") || daemons.live().containsKey(worker)) {
            throw new ClusterException(worker + " can only be restarted while the master runs and it does not");
        }
        Map<String, String> secret = spec.secured()
                ? Map.of(ClusterSecurity.SECRET_ENV, SecretFile.read(layout.secret())) : Map.of();
        long t0 = System.nanoTime();
        URI webUi = URI.create(spec.masterWebUi());
        // Until the master notices the death, it still counts the dead Worker: wait for a new Worker id instead.
        Set<String> before;
        try {
            before = MasterState.fetch(webUi).workers().stream().map(MasterState.Worker::id).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new ClusterException("the master does not answer at " + webUi + ": " + e.getMessage());
        }
        startOrUndo(daemons, List::of, started -> {
            started.put(worker, launchWorker(daemons, spec, i, Daemons.Placement.onHost(spec.host()),
                    spec.secured() ? ClusterSecurity.DAEMON_CONF : Map.of(), secret));
            return poll(daemons, started, worker + " to register", () -> master(webUi).filter(m -> m.aliveWorkers()
                    .stream().anyMatch(w -> !before.contains(w.id()))));
        });
        progress.accept(String.format("%s ALIVE again after %.1f s", worker, seconds(t0)));
    }

    private Process launchWorker(Daemons daemons, ClusterSpec cluster, int i, Daemons.Placement placement,
            Map<String, String> security, Map<String, String> secret) throws IOException {
        String worker = "worker-" + i;
        Path work = layout.work(worker);
        Files.createDirectories(work);
        return daemons.launch(worker, placement, security, secret, List.of("--host", placement.host(),
                "--cores", Integer.toString(cluster.cores()), "--memory", cluster.memory(),
                "--webui-port", Integer.toString(cluster.workerWebUiPort(i)),
                "--work-dir", work.toString(), cluster.masterUrl()));
    }

    /**
     * Stops every daemon under the layout, Workers first, then removes the test bed if there is one (and
     * whatever still runs on its devices); returns what it stopped and removed (empty: nothing was there).
     */
    public List<String> stop() {
        Daemons daemons = new Daemons(home, layout);
        daemons.forgetStale();
        Map<String, ProcessHandle> live = daemons.live();
        Map<String, ProcessHandle> workers = new LinkedHashMap<>(), others = new LinkedHashMap<>();
        live.forEach((daemon, h) -> (daemon.startsWith("worker-") ? workers : others).put(daemon, h));
        daemons.stop(workers);
        daemons.stop(others);
        KeyValueFile.delete(layout.stateFile());
        SecretFile.delete(layout.secret());
        List<String> stopped = new ArrayList<>(live.entrySet().stream()
                .map(e -> e.getKey() + " (pid " + e.getValue().pid() + ")").toList());
        stopped.addAll(new TestBed(layout).remove());
        return stopped;
    }

    public Status status() {
        Map<String, ProcessHandle> live = new Daemons(home, layout).live();
        Map<String, String> urls = readState();
        TestBed testBed = new TestBed(layout);
        List<TestBedState.Resource> parts = testBed.existing();
        Optional<TestBedState> bed = parts.isEmpty() ? Optional.empty() : testBed.state();
        List<TestBedMeter.DeviceReading> devices = List.of();
        if (bed.isPresent()) {
            try {
                devices = TestBedMeter.open(testBed.stateFile()).read();
            } catch (IllegalStateException partlyRemoved) {
                // The parts list says what is left.
            }
        }
        String webUi = urls.get("master.webui");
        if (!live.containsKey("master") || webUi == null) {
            return new Status(live, urls, Optional.empty(), live.containsKey("master") ? "no master.webui in "
                    + layout.stateFile() : "no master runs", bed, parts, devices);
        }
        try {
            return new Status(live, urls, Optional.of(MasterState.fetch(URI.create(webUi))), "", bed, parts, devices);
        } catch (IOException e) {
            return new Status(live, urls, Optional.empty(), "the master does not answer at " + webUi + ": "
                    + e.getMessage(), bed, parts, devices);
        }
    }

    /**
     * A Worker on an emulated device: entered into its cgroups and namespace, bound to its address, with a
     * small heap and only the quick compiler, whose threads would otherwise spend the device's CPU quota
     * compiling (measured at 0.4 core: registered after 6.5 s instead of 13.4 s, 111 MiB instead of 141).
     */
    private static Daemons.Placement onDevice(TestBedHost host, TestBedState.Device device) {
        return new Daemons.Placement(device.address(), TestBed.enter(host, device),
                List.of(DeviceHeaps.WORKER_HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    }

    /**
     * The environment that gives a secured cluster's daemons its secret: a new one, written before any daemon
     * starts. An insecure cluster leaves no earlier secret behind, and its start says what it gives up.
     */
    private Map<String, String> secretEnvironment(ClusterSpec spec, Consumer<String> progress) {
        if (!spec.secured()) {
            SecretFile.delete(layout.secret());
            progress.accept("warning: --insecure: any program that reaches the master or an executor can run code on "
                    + "the cluster and fetch its blocks, and RPC, block transfers and shuffle files are not encrypted");
            return Map.of();
        }
        SecretFile.create(layout.secret());
        return Map.of(ClusterSecurity.SECRET_ENV, SecretFile.read(layout.secret()));
    }

    private static void warnAboutOversubscription(ClusterSpec spec, Consumer<String> progress) {
        int cores = Runtime.getRuntime().availableProcessors();
        spec.limits().cpuShare().ifPresent(share -> {
            if (share * spec.workers() > cores) {
                progress.accept(String.format("warning: %d devices x %s core = %s cores, more than this machine's %d:"
                        + " the devices will not get their shares", spec.workers(), DeviceLimits.number(share),
                        DeviceLimits.number(share * spec.workers()), cores));
            }
        });
    }

    /** Starts a Spark history server over the event-log directory and waits until its REST API answers. */
    public URI history(String host, int port, Consumer<String> progress) {
        Daemons daemons = new Daemons(home, layout);
        Map<String, String> urls = readState();
        if (daemons.live().containsKey("history")) {
            throw new ClusterException("a history server is already running (pid "
                    + daemons.live().get("history").pid() + ", UI " + urls.getOrDefault("history.webui", "?") + ")");
        }
        daemons.forgetStale();
        requireFree(host, List.of(new ClusterSpec.FixedPort(port, "the history server's UI", "--port")));
        URI ui = URI.create("http://" + host + ":" + port);
        long t0 = System.nanoTime();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest applications = HttpRequest.newBuilder(ui.resolve("/api/v1/applications"))
                .timeout(Duration.ofSeconds(5)).build();
        startOrUndo(daemons, () -> List.of(), started -> {
            Files.createDirectories(layout.events());
            started.put("history", daemons.launch("history", Daemons.Placement.onHost(host), Map.of(
                    "spark.history.fs.logDirectory", layout.events().toUri().toString(),
                    "spark.history.ui.port", Integer.toString(port)), Map.of(), List.of()));
            return poll(daemons, started, "the history server's REST API", () -> {
                try {
                    int code = http.send(applications, HttpResponse.BodyHandlers.discarding()).statusCode();
                    return Optional.of(code).filter(c -> c == 200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ClusterException("interrupted while waiting for the history server");
                }
            });
        });
        urls.put("history.webui", ui.toString());
        writeState(urls);
        progress.accept(String.format("history server up after %.1f s: %s over %s", seconds(t0), ui, layout.events()));
        return ui;
    }

    /** Launches daemons into {@code started} and waits for them; it could not finish: they are stopped. */
    private interface Startup<T> {
        T run(Map<String, Process> started) throws IOException;
    }

    /**
     * Runs a startup; if it fails (or this JVM is stopped meanwhile), stops the daemons it started and then
     * runs {@code undo} (which removes the test bed, once nothing runs on it).
     */
    private static <T> T startOrUndo(Daemons daemons, Supplier<List<String>> undo, Startup<T> startup) {
        Map<String, Process> started = new ConcurrentHashMap<>();
        Runnable abandon = () -> {
            stopStarted(daemons, started);
            undo.get();
        };
        // The daemons run in their own session, so a Ctrl-C here would leave them behind: stop them.
        Thread abort = new Thread(abandon, "stop daemons that did not finish starting");
        Runtime.getRuntime().addShutdownHook(abort);
        try {
            return startup.run(started);
        } catch (IOException e) {
            abandonAfter(abandon, e);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            abandonAfter(abandon, e);
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(abort);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs already.
            }
        }
    }

    /** A readiness check: a value once ready; empty or an {@link IOException} while not yet. */
    private interface Probe<T> {
        Optional<T> check() throws IOException;
    }

    /** Polls until the probe answers; fails when a started daemon exits or after the timeout. */
    private <T> T poll(Daemons daemons, Map<String, Process> started, String what, Probe<T> probe) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            started.forEach((daemon, process) -> {
                if (!process.isAlive()) {
                    throw new ClusterException(daemon + " exited with code " + process.exitValue()
                            + " while waiting for " + what + "; " + daemons.logTail(daemon, LOG_LINES));
                }
            });
            try {
                Optional<T> ready = probe.check();
                if (ready.isPresent()) {
                    return ready.get();
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            if (System.nanoTime() > deadline) {
                throw new ClusterException("gave up waiting " + START_TIMEOUT.toSeconds() + " s for " + what
                        + "; logs in " + layout.logs());
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException("interrupted while waiting for " + what);
            }
        }
    }

    /** Undoes a failed start; a failure of the undo itself is told beside the first. */
    private static void abandonAfter(Runnable abandon, Exception failure) {
        try {
            abandon.run();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static Optional<MasterState> master(URI webUi) throws IOException {
        return Optional.of(MasterState.fetch(webUi));
    }

    private static void stopStarted(Daemons daemons, Map<String, Process> started) {
        Map<String, ProcessHandle> handles = new LinkedHashMap<>();
        started.forEach((daemon, process) -> handles.put(daemon, process.toHandle()));
        daemons.stop(handles);
    }

    private static void requireFree(ClusterSpec spec) {
        requireFree(spec.host(), spec.fixedPorts());
    }

    private static void requireFree(String host, List<ClusterSpec.FixedPort> ports) {
        Set<Integer> seen = new HashSet<>();
        for (ClusterSpec.FixedPort p : ports) {
            if (!seen.add(p.port())) {
                throw new ClusterException("port " + p.port() + " is asked for twice (" + p.what() + " and another)");
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(host, p.port()));
            } catch (IOException e) {
                throw new ClusterException("port " + p.port() + " on " + host + " (" + p.what()
                        + ") is in use; choose another with " + p.option());
            }
        }
    }

    private static String describe(Map<String, ProcessHandle> live) {
        List<String> parts = new ArrayList<>();
        live.forEach((daemon, h) -> parts.add(daemon + " pid " + h.pid()));
        return String.join(", ", parts);
    }

    private Map<String, String> readState() {
        return KeyValueFile.read(layout.stateFile());
    }

    private void writeState(Map<String, String> state) {
        KeyValueFile.write(layout.stateFile(), state);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
