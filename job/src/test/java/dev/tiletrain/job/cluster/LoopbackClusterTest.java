package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiletrain.job.metrics.MetricsCsv;
import dev.tiletrain.job.metrics.StageTimesListener;
import dev.tiletrain.tiles.TileSum;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A real Master and two Workers on loopback, secured, and applications driven from this JVM on their executors. */
class LoopbackClusterTest {
    private static final int WORKERS = 2;
    private static final Duration EXECUTORS_UP = Duration.ofSeconds(180);

    @RegisterExtension
    static final LoopbackClusterExtension CLUSTER = new LoopbackClusterExtension(WORKERS);

    @TempDir
    Path temp;

    @Test
    void statusReportsTheRunningDaemonsAndAliveWorkers() {
        LoopbackCluster.Status status = CLUSTER.cluster().status();
        assertEquals(Set.of("master", "worker-1", "worker-2"), status.daemons().keySet());
        MasterState master = status.master().orElseThrow(() -> new AssertionError(status.masterProblem()));
        assertTrue(master.alive());
        assertEquals(WORKERS, master.aliveWorkers().size());
        assertEquals(CLUSTER.masterUrl(), master.url());
        for (MasterState.Worker w : master.aliveWorkers()) {
            assertEquals(1, w.cores());
            assertEquals(1024, w.memoryMb());
        }
    }

    @Test
    void startingTwiceIsRefusedAndLeavesTheClusterRunning() {
        ClusterException e = assertThrows(ClusterException.class,
                () -> CLUSTER.cluster().start(CLUSTER.spec(), line -> {}));
        assertTrue(e.getMessage().contains("already running"), e.getMessage());
        assertTrue(e.getMessage().contains(CLUSTER.masterUrl()), e.getMessage());
        assertEquals(3, CLUSTER.cluster().status().daemons().size());
    }

    /**
     * The executors run a tile-keyed shuffle and a treeAggregate with Kryo registration required; the
     * driver's REST API lists the stages under the names set through the call site, and the listener writes
     * their times.
     */
    @Test
    void executorsRunTheShuffleAndTreeAggregateUnderNamedStages() throws Exception {
        SparkConf conf = CLUSTER.driverConf("probe")
                .set("spark.ui.enabled", "true")
                .set("spark.ui.port", Integer.toString(LoopbackClusterExtension.freePorts(1)[0]))
                .set("spark.kryo.registrator", ProbeJob.registrators());
        FileSystem fs = FileSystem.getLocal(new Configuration());
        List<String> stageNames = new ArrayList<>();
        Path csvDir = temp.resolve("metrics");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.sc().addSparkListener(new StageTimesListener(
                    MetricsCsv.create(fs, new org.apache.hadoop.fs.Path(csvDir.toUri()), "probe")));
            ExecutorWait.await(sc.sc(), WORKERS, EXECUTORS_UP, CLUSTER.masterWebUi());

            int tiles = 4;
            List<ProbeJob.Landed> landed = ProbeJob.haloShuffle(sc, tiles);
            assertEquals(tiles * (tiles - 1), landed.size());
            for (ProbeJob.Landed l : landed) {
                assertEquals(l.key(), l.partition(), "a strip for tile " + l.key() + " reached partition " + l.partition());
                assertEquals(l.key(), (int) l.strip()[1]);
                assertArrayEquals(ProbeJob.strip((int) l.strip()[0], l.key()), l.strip());
                assertFalse(l.executor().equals("driver"), "ran on the driver");
            }

            int n = 12;
            int dim = 5;
            TileSum sum = ProbeJob.treeReduce(sc, n, dim, 6, 2);
            assertEquals(n, sum.arrived());
            float[] expected = new float[dim];
            for (int i = 0; i < n; i++) {
                float[] v = ProbeJob.vector(i, dim);
                for (int j = 0; j < dim; j++) {
                    expected[j] += v[j];
                }
            }
            assertArrayEquals(expected, sum.total());

            URI api = URI.create(sc.sc().uiWebUrl().get() + "/api/v1/applications/" + sc.sc().applicationId() + "/stages");
            for (JsonNode stage : new ObjectMapper().readTree(get(api))) {
                stageNames.add(stage.path("name").asText());
            }
        }
        assertTrue(stageNames.contains(ProbeJob.HALO_STAGE), "stages: " + stageNames);
        assertTrue(stageNames.contains(ProbeJob.REDUCE_STAGE), "stages: " + stageNames);

        List<String> iterations = Files.readAllLines(csvDir.resolve("probe-iterations.csv"));
        assertEquals(List.of(0L, 1L), iterations.stream().skip(1).map(l -> Long.parseLong(l.split(",")[0])).toList());
        // The halo iteration: a map stage and a result stage of 4 tasks each, and bytes through the shuffle.
        String[] halo = iterations.get(1).split(",");
        assertEquals("2", halo[2], iterations.get(1));
        assertEquals("8", halo[3], iterations.get(1));
        assertTrue(Long.parseLong(halo[8]) > 0, "shuffle write bytes: " + iterations.get(1));
        Set<String> csvStageNames = Files.readAllLines(csvDir.resolve("probe-stages.csv")).stream().skip(1)
                .map(l -> l.split(",")[3]).collect(Collectors.toSet());
        assertEquals(Set.of("\"" + ProbeJob.HALO_STAGE + "\"", "\"" + ProbeJob.REDUCE_STAGE + "\""), csvStageNames);
    }

    /**
     * The cluster starts secured: its secret is its owner's alone, every daemon has it in its environment and on
     * no command line, and cluster.properties tells submit/train where it is and what a driver sets.
     */
    @Test
    void theDaemonsHaveTheSecretInTheirEnvironmentAndNotOnTheirCommandLines() throws IOException {
        Path file = CLUSTER.layout().secret();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String secret = CLUSTER.secret();
        assertTrue(secret.matches("[0-9a-f]{64}"), "256 random bits in hex: " + secret.length() + " characters");
        Map<String, ProcessHandle> daemons = CLUSTER.cluster().status().daemons();
        assertEquals(Set.of("master", "worker-1", "worker-2"), daemons.keySet());
        daemons.forEach((daemon, process) -> {
            String commandLine = ProcFs.commandLine(process.pid());
            assertTrue(commandLine.contains(" -Dspark.authenticate=true ")
                    && commandLine.contains(" -Dspark.network.crypto.enabled=true "), commandLine);
            assertFalse(commandLine.contains(secret), daemon + "'s command line shows the secret");
            assertEquals(secret, ProcFs.environment(process.pid()).get(ClusterSecurity.SECRET_ENV), daemon);
        });
        Map<String, String> state = KeyValueFile.read(CLUSTER.layout().stateFile());
        assertEquals(file.toString(), state.get("secret"));
        assertEquals("spark.authenticate=true spark.network.crypto.enabled=true spark.network.crypto.cipher=AES/GCM/NoPadding"
                + " spark.network.crypto.saslFallback=false spark.io.encryption.enabled=true", state.get("driver.conf"));
    }

    /**
     * Master and Workers listen on the cluster's address alone (Spark binds its UIs to SPARK_LOCAL_IP, which
     * each daemon is given): the master on its RPC port and UI, without the REST submission server, each
     * Worker on its RPC port and UI.
     */
    @Test
    void theDaemonsListenOnTheClustersAddressOnly() throws IOException {
        for (Map.Entry<String, ProcessHandle> daemon : CLUSTER.cluster().status().daemons().entrySet()) {
            List<InetSocketAddress> listening = ProcFs.listening(daemon.getValue().pid());
            assertEquals(2, listening.size(), daemon.getKey() + " listens on " + listening);
            for (InetSocketAddress a : listening) {
                assertEquals(ClusterSpec.LOOPBACK, a.getAddress().getHostAddress(), daemon.getKey() + " listens on " + a);
            }
            if (daemon.getKey().equals("master")) {
                assertEquals(Set.of(CLUSTER.spec().masterPort(), CLUSTER.spec().webUiPort()),
                        listening.stream().map(InetSocketAddress::getPort).collect(Collectors.toSet()));
            }
        }
    }

    /** An executor larger than any Worker never comes: the wait fails and says which resource is short. */
    @Test
    void waitingForExecutorsThatCannotFitFailsNamingTheMemory() {
        SparkConf conf = CLUSTER.driverConf("too big").set("spark.executor.memory", "1500m");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ExecutorWait.await(sc.sc(), 1, Duration.ofSeconds(2), CLUSTER.masterWebUi()));
            String message = e.getMessage();
            assertTrue(message.contains("only 0 of 1 executor(s)"), message);
            assertTrue(message.contains("1500 MiB (spark.executor.memory)"), message);
            assertTrue(message.contains("offers 1024 MiB"), message);
        }
    }

    private static String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), uri + " answered " + response.body());
        return response.body();
    }
}
