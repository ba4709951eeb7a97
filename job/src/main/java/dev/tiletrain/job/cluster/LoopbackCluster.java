package dev.tiletrain.job.cluster;

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

/**
 * A real Spark standalone cluster on one machine: a Master and N Workers, each Worker one emulated device,
 * started from the jars of a {@link SparkHome}, plus an optional history server over the event logs.
 * {@code submit/cluster} and the tests' cluster fixture both drive this class.
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

    /** A cluster that runs: where to submit to, the master's UI, its ALIVE Workers. */
    public record Running(String masterUrl, URI masterWebUi, List<MasterState.Worker> workers) {}

    /** What runs under the layout now, and what the master says if it answers. */
    public record Status(Map<String, ProcessHandle> daemons, Map<String, String> urls,
            Optional<MasterState> master, String masterProblem) {
        public boolean running() {
            return !daemons.isEmpty();
        }
    }

    /**
     * Starts the Master, waits until it is ALIVE, then starts the Workers and waits until all are ALIVE.
     * Workers start only after the Master is up: one that registers with a Master still electing itself
     * is refused and retries only ~10 s later.
     */
    public Running start(ClusterSpec spec, Consumer<String> progress) {
        Daemons daemons = new Daemons(home, layout, spec.host());
        Map<String, ProcessHandle> live = daemons.live();
        if (live.containsKey("master") || live.keySet().stream().anyMatch(d -> d.startsWith("worker-"))) {
            throw new ClusterException("a cluster is already running under " + layout.root() + " ("
                    + describe(live) + ", " + readState().getOrDefault("master.url", "master URL unknown")
                    + "); stop it first with `submit/cluster stop`");
        }
        daemons.forgetStale().forEach(d -> progress.accept("forgot the pid file of " + d + ", which no longer runs"));
        requireFree(spec);
        try {
            Files.createDirectories(layout.events());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long t0 = System.nanoTime();
        URI webUi = URI.create(spec.masterWebUi());
        return startOrUndo(daemons, started -> {
            started.put("master", daemons.launch("master", Map.of("spark.master.rest.enabled", "false"),
                    List.of("--host", spec.host(), "--port", Integer.toString(spec.masterPort()),
                            "--webui-port", Integer.toString(spec.webUiPort()))));
            poll(daemons, started, "the master to become ALIVE", () -> master(webUi).filter(MasterState::alive));
            progress.accept(String.format("master %s ALIVE after %.1f s (UI %s)", spec.masterUrl(), seconds(t0), webUi));
            for (int i = 1; i <= spec.workers(); i++) {
                String worker = "worker-" + i;
                Path work = layout.work(worker);
                Files.createDirectories(work);
                started.put(worker, daemons.launch(worker, Map.of(), List.of("--host", spec.host(),
                        "--cores", Integer.toString(spec.cores()), "--memory", spec.memory(),
                        "--webui-port", Integer.toString(spec.workerWebUiPort(i)),
                        "--work-dir", work.toString(), spec.masterUrl())));
            }
            MasterState state = poll(daemons, started, spec.workers() + " worker(s) to register",
                    () -> master(webUi).filter(s -> s.aliveWorkers().size() >= spec.workers()));
            progress.accept(String.format("%d worker(s) ALIVE after %.1f s, %d core(s) and %s each", spec.workers(),
                    seconds(t0), spec.cores(), spec.memory()));
            Map<String, String> urls = readState();
            urls.put("master.url", spec.masterUrl());
            urls.put("master.webui", webUi.toString());
            urls.put("events.dir", layout.events().toUri().toString());
            writeState(urls);
            return new Running(spec.masterUrl(), webUi, state.aliveWorkers());
        });
    }

    /** Stops every daemon under the layout, Workers first; returns what it stopped (empty: nothing ran). */
    public List<String> stop() {
        Daemons daemons = new Daemons(home, layout, ClusterSpec.LOOPBACK);
        daemons.forgetStale();
        Map<String, ProcessHandle> live = daemons.live();
        Map<String, ProcessHandle> workers = new LinkedHashMap<>(), others = new LinkedHashMap<>();
        live.forEach((daemon, h) -> (daemon.startsWith("worker-") ? workers : others).put(daemon, h));
        daemons.stop(workers);
        daemons.stop(others);
        deleteState();
        return live.entrySet().stream().map(e -> e.getKey() + " (pid " + e.getValue().pid() + ")").toList();
    }

    public Status status() {
        Map<String, ProcessHandle> live = new Daemons(home, layout, ClusterSpec.LOOPBACK).live();
        Map<String, String> urls = readState();
        String webUi = urls.get("master.webui");
        if (!live.containsKey("master") || webUi == null) {
            return new Status(live, urls, Optional.empty(), live.containsKey("master") ? "no master.webui in "
                    + layout.stateFile() : "no master runs");
        }
        try {
            return new Status(live, urls, Optional.of(MasterState.fetch(URI.create(webUi))), "");
        } catch (IOException e) {
            return new Status(live, urls, Optional.empty(), "the master does not answer at " + webUi + ": "
                    + e.getMessage());
        }
    }

    /** Starts a Spark history server over the event-log directory and waits until its REST API answers. */
    public URI history(String host, int port, Consumer<String> progress) {
        Daemons daemons = new Daemons(home, layout, host);
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
        startOrUndo(daemons, started -> {
            Files.createDirectories(layout.events());
            started.put("history", daemons.launch("history", Map.of(
                    "spark.history.fs.logDirectory", layout.events().toUri().toString(),
                    "spark.history.ui.port", Integer.toString(port)), List.of()));
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

    private static <T> T startOrUndo(Daemons daemons, Startup<T> startup) {
        Map<String, Process> started = new ConcurrentHashMap<>();
        // The daemons run in their own session, so a Ctrl-C here would leave them behind: stop them.
        Thread abort = new Thread(() -> stopStarted(daemons, started), "stop daemons that did not finish starting");
        Runtime.getRuntime().addShutdownHook(abort);
        try {
            return startup.run(started);
        } catch (IOException e) {
            stopStarted(daemons, started);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            stopStarted(daemons, started);
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
        Map<String, String> state = new LinkedHashMap<>();
        try {
            if (Files.exists(layout.stateFile())) {
                for (String line : Files.readAllLines(layout.stateFile())) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        state.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return state;
    }

    private void writeState(Map<String, String> state) {
        StringBuilder text = new StringBuilder();
        state.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        try {
            Files.createDirectories(layout.root());
            Files.writeString(layout.stateFile(), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deleteState() {
        try {
            Files.deleteIfExists(layout.stateFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
