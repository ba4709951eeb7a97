package dev.tiletrain.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.job.cluster.ClusterSecurity;
import dev.tiletrain.job.cluster.ExecutorWait;
import dev.tiletrain.job.cluster.LoopbackClusterExtension;
import dev.tiletrain.job.cluster.ProcFs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.ShuffleDependency;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.io.ZStdCompressionCodec;
import org.apache.spark.network.buffer.ManagedBuffer;
import org.apache.spark.network.sasl.SecretKeyHolder;
import org.apache.spark.network.shuffle.BlockFetchingListener;
import org.apache.spark.network.shuffle.ExternalBlockStoreClient;
import org.apache.spark.network.util.MapConfigProvider;
import org.apache.spark.network.util.TransportConf;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManagerId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;
import scala.Tuple3;
import scala.collection.Seq;

/**
 * A secured cluster (a Master and 2 Workers on loopback, started as {@code submit/cluster start} starts them)
 * turns away whoever lacks its secret: a driver, quickly and saying why, and a client fetching an executor's
 * shuffle blocks. With its secret, {@code submit/train} trains with encryption on to the in-process runner's
 * weights, bit for bit (TrainJobIT's insecure cluster gives the same bits), and the secret shows on no
 * command line, in no log and not in the event log.
 */
class SecureClusterIT {
    private static final int WORKERS = 2;
    private static final int ITERATIONS = 3;
    /**
     * A refused driver must stop well before Spark's own client would give up (60 s: three registration
     * attempts 20 s apart); the rest is the JVM's start on a busy 2-core machine.
     */
    private static final Duration REFUSED_WITHIN = Duration.ofSeconds(45);
    private static final Duration EXECUTORS_UP = Duration.ofSeconds(180);
    private static final Duration FETCH_WITHIN = Duration.ofSeconds(30);
    private static final Duration SCAN_EVERY = Duration.ofMillis(500);

    @RegisterExtension
    static final LoopbackClusterExtension CLUSTER = new LoopbackClusterExtension(WORKERS);

    @TempDir
    static Path shared;

    private static TrainingFixture fixture;
    private static float[] tiled;

    @BeforeAll
    static void trainInProcess() throws IOException {
        fixture = TrainingFixture.generate(shared.resolve("data"));
        tiled = fixture.weights(fixture.trainInProcess(ITERATIONS, TrainingFixture.GRID, shared.resolve("tiled")));
    }

    /**
     * A driver with no secret, and one with a wrong secret, started as a user starts one ({@code submit/train
     * --master URL}, here side by side), are refused by the master: one line each saying why, no stack trace,
     * exit code 2, within seconds.
     */
    @Test
    void aDriverWithoutTheSecretOrWithAWrongOneIsRefusedSayingWhy(@TempDir Path temp) throws Exception {
        Path otherCluster = Files.createDirectories(temp.resolve("no-cluster"));
        long t0 = System.nanoTime();
        Process none = submitTrain(otherCluster, List.of(), Map.of(), temp.resolve("none.log"));
        Process wrong = submitTrain(otherCluster, List.of("--conf", "spark.authenticate=true",
                "--conf", "spark.network.crypto.enabled=true"),
                Map.of(ClusterSecurity.SECRET_ENV, "0".repeat(64)), temp.resolve("wrong.log"));
        String url = CLUSTER.masterUrl();
        assertRefused(none, t0, temp.resolve("none.log"), "TrainJob: the master " + url + " refused this driver: the "
                + "cluster is secured (spark.authenticate) and the driver has no secret; give it the cluster's secret "
                + "(README.md, \"Security\")");
        assertRefused(wrong, t0, temp.resolve("wrong.log"), "TrainJob: the master " + url + " closed the connection "
                + "while authenticating this driver: the driver's secret or its spark.network.crypto.* settings are "
                + "not the cluster's, or the cluster is not secured (started with --insecure)");
    }

    /**
     * A real shuffle block, written by an executor in a job that just ran, cannot be fetched from that executor
     * by Spark's block client without the secret or with a wrong one; the same fetch with the secret works.
     */
    @Test
    void aBlockClientWithoutTheSecretCannotFetchAShuffleBlock() throws Exception {
        try (JavaSparkContext sc = new JavaSparkContext(CLUSTER.driverConf("shuffle block fetch"))) {
            ExecutorWait.await(sc.sc(), WORKERS, EXECUTORS_UP, CLUSTER.masterWebUi());
            JavaPairRDD<Integer, Integer> sums = SumsByKey.of(sc);
            assertEquals(499500, SumsByKey.total(sums));
            int shuffle = ((ShuffleDependency<?, ?, ?>) sums.rdd().dependencies().head()).shuffleId();
            Tuple2<BlockManagerId, Seq<Tuple3<BlockId, Object, Object>>> written =
                    SparkEnv.get().mapOutputTracker().getMapSizesByExecutorId(shuffle, 0).next();
            BlockManagerId executor = written._1();
            String block = written._2().head()._1().name();
            assertFalse(executor.executorId().equals("driver"), "the block is an executor's: " + executor);
            String app = sc.sc().applicationId();

            // The executor's answers: a request that is no authentication, and an authentication that fails.
            Throwable anonymous = fetch(app, executor, block, false, "").join().failure();
            assertTrue(anonymous != null, "fetched " + block + " from " + executor + " without the secret");
            assertTrue(causes(anonymous).contains("Unknown challenge message"), causes(anonymous));
            Throwable wrong = fetch(app, executor, block, true, "0".repeat(64)).join().failure();
            assertTrue(wrong != null, "fetched " + block + " from " + executor + " with a wrong secret");
            assertTrue(causes(wrong).contains("Authentication failed"), causes(wrong));
            Fetched right = fetch(app, executor, block, true, CLUSTER.secret()).join();
            assertTrue(right.failure() == null, "with the secret: " + right.failure());
            assertTrue(right.bytes() > 0, block + " is empty");
            System.out.printf("with the secret: %s from executor %s at %s, %d bytes%n", block, executor.executorId(),
                    executor.hostPort(), right.bytes());
        }
    }

    /**
     * {@code submit/train} on this cluster (found by its directory, as on the cluster of {@code submit/cluster})
     * takes the cluster's secret and security settings and trains the in-process runner's weights. All the
     * while, no process shows the secret on its command line, while the daemons, the driver and the executors
     * each hold it in their environment (the Workers hand it on to their executors there) and listen on the
     * cluster's address only; afterwards no log, no executor output and no event log holds it, and the event
     * log shows the key redacted and encryption on.
     */
    @Test
    void submitTrainTrainsWithTheSecretWhichShowsNowhere(@TempDir Path temp) throws Exception {
        String secret = CLUSTER.secret();
        List<Path> earlierEventLogs = eventLogs();
        Path log = temp.resolve("submit.log");
        Process submit = submitTrain(CLUSTER.layout().root(), List.of(), Map.of(), log, fixture.sparkSettings(ITERATIONS,
                temp));
        Scan scan = new Scan(secret);
        while (!submit.waitFor(SCAN_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
            scan.scan(submit.toHandle());
        }
        String output = Files.readString(log);
        assertEquals(0, submit.exitValue(), output);
        assertTrue(output.contains("iter 3/3 loss"), output);
        assertArrayEquals(tiled, fixture.weights(temp.resolve("iter-00000003").resolve(TrainCheckpoint.WEIGHTS)),
                "the in-process runner, with authentication and encryption on");

        assertEquals(List.of(), scan.showing, "command lines showing the secret");
        assertEquals(Set.of("driver", "master", "worker-1", "worker-2", "executor of worker-1", "executor of worker-2"),
                scan.holding, "the processes seen with the secret in their environment");
        assertEquals(Set.of(), scan.listeningElsewhere, "listening beyond the cluster's address");
        assertFalse(output.contains(secret), "submit/train's output shows the secret");
        List<Path> files;
        try (Stream<Path> all = Files.walk(CLUSTER.layout().root())) {
            files = all.filter(Files::isRegularFile).filter(f -> !f.equals(CLUSTER.layout().secret())).toList();
        }
        assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals("stderr")), "executor logs: " + files);
        for (Path f : files) {
            assertFalse(text(f).contains(secret), f + " holds the secret");
        }
        List<Path> eventLogs = new ArrayList<>(eventLogs());
        eventLogs.removeAll(earlierEventLogs);
        assertEquals(1, eventLogs.size(), "the run's event log among " + eventLogs());
        String events = text(eventLogs.get(0));
        for (String setting : List.of("\"spark.authenticate.secret\":\"*********(redacted)\"",
                "\"spark.authenticate\":\"true\"", "\"spark.network.crypto.enabled\":\"true\"",
                "\"spark.io.encryption.enabled\":\"true\"")) {
            assertTrue(events.contains(setting), "the event log has no " + setting);
        }
    }

    /**
     * What {@code ps} and {@code /proc} show while a job runs: every command line, and of the cluster's
     * processes (the daemons, the driver, which {@code submit/train} execs, and each Worker's executors, its
     * children) which hold the secret in their environment and which listen beyond the cluster's address.
     */
    private static final class Scan {
        final String secret;
        final List<String> showing = new ArrayList<>();
        final Set<String> holding = new TreeSet<>();
        final Set<String> listeningElsewhere = new TreeSet<>();

        Scan(String secret) {
            this.secret = secret;
        }

        void scan(ProcessHandle driver) {
            ProcFs.commandLines().forEach((pid, line) -> {
                if (line.contains(secret)) {
                    showing.add(pid + ": " + line);
                }
            });
            look("driver", driver);
            CLUSTER.cluster().status().daemons().forEach((daemon, process) -> {
                look(daemon, process);
                process.children().filter(c -> ProcFs.commandLine(c.pid()).contains("CoarseGrainedExecutorBackend"))
                        .forEach(executor -> look("executor of " + daemon, executor));
            });
        }

        private void look(String name, ProcessHandle process) {
            if (secret.equals(ProcFs.environment(process.pid()).get(ClusterSecurity.SECRET_ENV))) {
                holding.add(name);
            }
            try {
                ProcFs.listening(process.pid()).stream()
                        .filter(a -> !a.getAddress().getHostAddress().equals(CLUSTER.driverHost()))
                        .forEach(a -> listeningElsewhere.add(name + " on " + a));
            } catch (IOException ended) {
                // The process ended between the listing and the look.
            }
        }
    }

    /** {@code submit/train} of the fixture's run, its output in {@code log}, the cluster that of {@code clusterDir}. */
    private static Process submitTrain(Path clusterDir, List<String> options, Map<String, String> environment, Path log)
            throws IOException {
        List<String> command = new ArrayList<>(List.of("--master", CLUSTER.masterUrl()));
        command.addAll(options);
        return submitTrain(clusterDir, command, environment, log, fixture.sparkSettings(1, shared.resolve("unused")));
    }

    private static Process submitTrain(Path clusterDir, List<String> options, Map<String, String> environment, Path log,
            Map<String, String> settings) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                LoopbackClusterExtension.moduleDir().getParent().resolve("submit/train").toString(),
                "--conf", "spark.executor.memory=512m",
                "--conf", "spark.executor.extraJavaOptions=" + LoopbackClusterExtension.QUICK_JIT));
        command.addAll(options);
        settings.forEach((k, v) -> command.addAll(List.of("--conf", k + "=" + v)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("TILETRAIN_CLUSTER_DIR", clusterDir.toString());
        builder.environment().put("TILETRAIN_DRIVER_OPTS", "-Xmx1g " + LoopbackClusterExtension.QUICK_JIT);
        builder.environment().remove(ClusterSecurity.SECRET_ENV);
        builder.environment().putAll(environment);
        return builder.start();
    }

    private static void assertRefused(Process driver, long t0, Path log, String message) throws Exception {
        assertTrue(driver.waitFor(REFUSED_WITHIN.toSeconds(), TimeUnit.SECONDS),
                "still running after " + REFUSED_WITHIN.toSeconds() + " s: " + Files.readString(log));
        System.out.printf("refused after %.1f s%n", (System.nanoTime() - t0) / 1e9);
        String output = Files.readString(log);
        assertEquals(2, driver.exitValue(), output);
        assertEquals(List.of(message), output.lines().filter(l -> l.contains("TrainJob")).toList(), output);
        assertFalse(output.contains("\tat "), "a stack trace: " + output);
    }

    /** The event logs of the applications run on the cluster so far (in this run of the class or before). */
    private static List<Path> eventLogs() throws IOException {
        try (Stream<Path> all = Files.walk(CLUSTER.layout().events())) {
            return all.filter(f -> f.getFileName().toString().startsWith("events_")).toList();
        }
    }

    /** A file's bytes as text; an event log decompressed first (Spark writes them with zstd). */
    private static String text(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".zstd")
                        ? new ZStdCompressionCodec(new SparkConf(false)).compressedInputStream(raw) : raw) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** A job with a shuffle, in a class of its own: the executors need not initialise this test's class. */
    private static final class SumsByKey {
        static JavaPairRDD<Integer, Integer> of(JavaSparkContext sc) {
            return sc.parallelize(IntStream.range(0, 1000).boxed().toList(), 4).mapToPair(i -> new Tuple2<>(i % 8, i))
                    .reduceByKey(Integer::sum, 2);
        }

        static int total(JavaPairRDD<Integer, Integer> sums) {
            return sums.values().reduce(Integer::sum);
        }
    }

    private record Fetched(long bytes, Throwable failure) {}

    private static String causes(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }

    /**
     * Fetches one block from an executor with Spark's own block client, authenticating as the cluster's
     * processes do with {@code secret}, or not at all, and without retries.
     */
    private static CompletableFuture<Fetched> fetch(String app, BlockManagerId executor, String block,
            boolean authenticate, String secret) {
        Map<String, String> settings = new HashMap<>(ClusterSecurity.DAEMON_CONF);
        settings.put("spark.shuffle.io.maxRetries", "0");
        TransportConf conf = new TransportConf("shuffle", new MapConfigProvider(settings));
        SecretKeyHolder keys = new SecretKeyHolder() {
            @Override
            public String getSaslUser(String appId) {
                return "sparkSaslUser";
            }

            @Override
            public String getSecretKey(String appId) {
                return secret;
            }
        };
        ExternalBlockStoreClient client = new ExternalBlockStoreClient(conf, keys, authenticate, FETCH_WITHIN.toMillis());
        client.init(app);
        CompletableFuture<Fetched> result = new CompletableFuture<>();
        client.fetchBlocks(executor.host(), executor.port(), executor.executorId(), new String[] {block},
                new BlockFetchingListener() {
                    @Override
                    public void onBlockFetchSuccess(String blockId, ManagedBuffer data) {
                        result.complete(new Fetched(data.size(), null));
                    }

                    @Override
                    public void onBlockFetchFailure(String blockId, Throwable failure) {
                        result.complete(new Fetched(0, failure));
                    }
                }, null);
        return result.orTimeout(FETCH_WITHIN.toSeconds(), TimeUnit.SECONDS).whenComplete((f, e) -> client.close());
    }
}
