package dev.tiletrain.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiletrain.job.TrainJob;
import dev.tiletrain.job.cluster.ExecutorWait;
import dev.tiletrain.job.cluster.LoopbackClusterExtension;
import dev.tiletrain.job.conf.TiletrainConf;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import dev.tiletrain.tiles.HaloStrip;
import dev.tiletrain.tiles.TrainingPlan;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training job on a real standalone cluster (a Master and 3 Workers on loopback), its executors loading
 * the built {@code tiletrain-job.jar}: 3 iterations of the tiny detector with 2×2 tiles, two groups and
 * synchronised batch norm. Every run adds in the in-process runner's order, so each test expects that
 * runner's weights to the bit, whatever happens to the cluster. The tests share the cluster, and those that
 * need no application of their own share one ({@link OneApplication}).
 */
class TrainJobIT {
    private static final int ITERATIONS = 3;
    /**
     * Bytes Kryo adds to one halo record besides its floats: the pair and key, the piece, the strip record
     * (6 ints, a flag, its rectangle) and the tensor's 6 ints, with class ids; ~66 measured by construction.
     */
    private static final int FRAMING_PER_RECORD = 100;

    /**
     * Insecure, where SecureClusterIT trains the same run on a secured cluster: both give the in-process
     * runner's weights, so authentication and encryption change no bit.
     */
    @RegisterExtension
    static final LoopbackClusterExtension CLUSTER = new LoopbackClusterExtension(3).insecure();

    @TempDir
    static Path shared;

    private static TrainingFixture fixture;
    private static float[] initial;
    private static float[] tiled;
    private static float[] untiled;

    @BeforeAll
    static void trainInProcess() throws IOException {
        fixture = TrainingFixture.generate(shared.resolve("data"));
        initial = fixture.initial();
        tiled = fixture.weights(fixture.trainInProcess(ITERATIONS, TrainingFixture.GRID, shared.resolve("tiled")));
        untiled = fixture.weights(fixture.trainInProcess(ITERATIONS, "1x1", shared.resolve("untiled")));
    }

    /**
     * The runs that need no application of their own share one: its executors start and warm up once (the
     * JIT compiler's first iteration costs 10 s here, the executors' start as much). Each run waits for all
     * devices first, so a device an earlier test killed is back (its Worker restarted, Spark's Master giving the
     * application a new executor there) before it starts.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OneApplication {
        private JavaSparkContext sc;

        @BeforeAll
        void start(@TempDir Path temp) {
            sc = new JavaSparkContext(driverConf("tiletrain IT", temp)
                    .set("spark.ui.enabled", "true")
                    .set("spark.ui.port", Integer.toString(LoopbackClusterExtension.freePorts(1)[0]))
                    // Uncompressed, the halo shuffle's bytes are its records' exactly.
                    .set("spark.shuffle.compress", "false"));
        }

        @AfterAll
        void stop() {
            sc.close();
        }

        @BeforeEach
        void awaitEveryDevice() {
            ExecutorWait.await(sc.sc(), CLUSTER.spec().workers(), Duration.ofMinutes(3), CLUSTER.masterWebUi());
        }

        @Test
        void trainsLikeTheInProcessRunnerInNamedStagesMovingOnlyHaloBytes(@TempDir Path temp) throws Exception {
            SparkConf conf = driverConf("tiletrain IT", temp);
            // The application's earlier runs are in its UI too: this run's stages are the new ones.
            Set<Integer> before = new HashSet<>();
            stages().forEach(s -> before.add(s.path("stageId").asInt()));
            Trainer.Outcome outcome = Trainer.run(sc, TiletrainConf.from(conf), false);
            List<JsonNode> stages = new ArrayList<>();
            stages().forEach(s -> {
                if (!before.contains(s.path("stageId").asInt())) {
                    stages.add(s);
                }
            });
            float[] weights = fixture.weights(weightsOf(outcome));
            assertArrayEquals(tiled, weights, "the in-process runner (2x2 tiles, same groups)");
            assertClose(weights, untiled, 1e-4, "the untiled trainer");

            List<String> names = new ArrayList<>();
            // The backward job lists the forward job's map stages as skipped: their shuffle outputs are reused.
            stages.forEach(s -> {
                if (!s.path("status").asText().equals("SKIPPED")) {
                    names.add(s.path("name").asText());
                }
            });
            // Forward up to the tail's input (one job), the tail on the driver, backward and the gradient sum.
            List<String> expected = List.of("fwd g0 L0 2x2", "sync fwd g0 L0-2 2x2", "sync fwd g0 L2-3 2x2",
                    "fwd g1 L4 2x2", "sync fwd g1 L4-6 2x2", "sync fwd g1 L6-8 2x2", "sync fwd g1 L8 2x2",
                    "bwd g1 delta 2x2", "sync bwd g1 L7-8 2x2", "sync bwd g1 L5-6 2x2", "sync bwd g1 L4 2x2",
                    "bwd g0 L3 2x2", "sync bwd g0 L1-2 2x2", "sync bwd g0 L0 2x2, grad reduce");
            for (String stage : expected) {
                assertEquals(ITERATIONS, names.stream().filter(stage::equals).count(),
                        "stage '" + stage + "' once per iteration among " + names);
            }
            assertEquals(expected.size() * ITERATIONS, names.size(), "stages per iteration: " + names);

            TrainingPlan plan = TrainingPlan.of(ModelBuilder.build(CfgParser.parse(fixture.cfg), BatchNorm.Mode.SYNC,
                    TrainingFixture.SEED).network(), Grouping.parse(TrainingFixture.GROUPS),
                    Grid.parse(TrainingFixture.GRID));
            long payload = PlanTable.haloBytesPerImage(plan, 0) * TrainingFixture.BATCH;
            long records = plan.boundary(0).stream().filter(s -> !s.local()).count();
            assertTrue(records > 0 && plan.boundary(0).stream().anyMatch(HaloStrip::local),
                    "a boundary with both kinds");
            // Forward, the stage ending group 0 writes the strips; back, the stage ending group 1's backward.
            for (String halo : List.of("sync fwd g0 L2-3 2x2", "sync bwd g1 L4 2x2")) {
                for (JsonNode s : stages) {
                    if (s.path("name").asText().equals(halo) && !s.path("status").asText().equals("SKIPPED")) {
                        long written = s.path("shuffleWriteBytes").asLong();
                        System.out.printf("%s: %d shuffle bytes for %d payload bytes in %d records%n", halo, written,
                                payload, records);
                        assertTrue(written >= payload && written <= payload + records * FRAMING_PER_RECORD,
                                halo + " wrote " + written + " bytes for " + payload + " bytes of strips in " + records
                                        + " records");
                    }
                }
            }
        }

        /**
         * Overlapped passes ({@code spark.tiletrain.overlapPasses}: a pass's forward during the previous pass's tail)
         * change when things run, not what is added: the in-process runner's weights to the bit, 2 passes an iteration.
         */
        @Test
        void overlappedPassesTrainTheInProcessRunnersWeights(@TempDir Path temp) throws Exception {
            float[] expected = fixture.weights(fixture.trainInProcess(ITERATIONS, TrainingFixture.GRID,
                    temp.resolve("in-process"), "--subdivisions", "2"));
            SparkConf conf = driverConf("tiletrain IT overlapped passes", temp.resolve("checkpoints"))
                    .set("spark.tiletrain.subdivisions", "2")
                    .set("spark.tiletrain.overlapPasses", "true");
            Trainer.Outcome outcome = Trainer.run(sc, TiletrainConf.from(conf), false);
            assertArrayEquals(expected, fixture.weights(weightsOf(outcome)),
                    "the in-process runner, 2 passes an iteration");
            assertFalse(Arrays.equals(expected, tiled), "2 passes of 1 image train other weights than 1 pass of 2");
        }

        /** The application's stages, as its UI's REST API lists them. */
        private JsonNode stages() throws IOException, InterruptedException {
            return new ObjectMapper().readTree(get(URI.create(sc.sc().uiWebUrl().get() + "/api/v1/applications/"
                    + sc.sc().applicationId() + "/stages")));
        }

        /**
         * Where in iteration 2 a drill kills a device: the stage whose submission triggers it, or for the tail
         * (on the driver, between the forward and the backward job), the completion of the last forward stage.
         */
        Stream<Arguments> phases() {
            return Stream.of(
                    Arguments.of("a forward group", "fwd g1 L4 2x2", false),
                    Arguments.of("a batch-norm sync", "sync fwd g1 L4-6 2x2", false),
                    Arguments.of("the tail", "sync fwd g1 L8 2x2", true),
                    Arguments.of("a backward group", "sync bwd g1 L7-8 2x2", false),
                    Arguments.of("the gradient reduction", "sync bwd g0 L0 2x2, grad reduce", false));
        }

        /**
         * Kills a whole device (SIGKILL of Worker 2 and its executor) during one phase of iteration 2: the run
         * goes on with the two others, recomputes the lost tile states and shuffle outputs from lineage and ends
         * with the undisturbed run's weights to the bit. The Worker comes back afterwards for the next drill.
         */
        @ParameterizedTest(name = "SIGKILL of a device during {0}")
        @MethodSource("phases")
        void killingADeviceLeavesTheWeightsUnchanged(String phase, String stage, boolean onCompletion,
                @TempDir Path temp) throws Exception {
            SparkConf conf = driverConf("tiletrain IT device loss during " + phase, temp.resolve("checkpoints"));
            AtomicReference<String> killed = new AtomicReference<>();
            Runnable kill = () -> {
                if (killed.get() == null) {
                    ProcessHandle worker = CLUSTER.cluster().status().daemons().get("worker-2");
                    List<ProcessHandle> device = new ArrayList<>(worker.descendants().toList());
                    device.add(worker);
                    device.forEach(ProcessHandle::destroyForcibly);
                    List<String> running = new ArrayList<>();
                    for (int id : sc.statusTracker().getActiveStageIds()) {
                        SparkStageInfo info = sc.statusTracker().getStageInfo(id); // Null once forgotten.
                        running.add(info == null ? "stage " + id : info.name());
                    }
                    killed.set("pids " + device.stream().map(h -> Long.toString(h.pid())).toList()
                            + ", stages running: " + running);
                }
            };
            Set<Integer> awaited = ConcurrentHashMap.newKeySet();
            SparkListener drill = new SparkListener() {
                @Override
                public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
                    Properties job = submitted.properties();
                    if (job != null && "iter-2".equals(job.getProperty("spark.jobGroup.id"))
                            && submitted.stageInfo().name().equals(stage)) {
                        if (onCompletion) {
                            awaited.add(submitted.stageInfo().stageId());
                        } else {
                            kill.run();
                        }
                    }
                }

                @Override
                public void onStageCompleted(SparkListenerStageCompleted completed) {
                    if (awaited.contains(completed.stageInfo().stageId())) {
                        kill.run();
                    }
                }
            };
            sc.sc().addSparkListener(drill);
            Trainer.Outcome outcome;
            try {
                outcome = Trainer.run(sc, TiletrainConf.from(conf), false);
            } finally {
                sc.sc().removeSparkListener(drill);
                if (killed.get() != null) {
                    CLUSTER.restartWorker(2);
                }
            }
            assertTrue(killed.get() != null, "no device was killed");
            System.out.println("killed device 2 during " + phase + " of iteration 2: " + killed.get());
            assertArrayEquals(tiled, fixture.weights(weightsOf(outcome)), "the undisturbed in-process runner");
        }

        /**
         * Every device killed during iteration 2 and none back: instead of waiting for executors forever, the driver
         * stops after {@code spark.tiletrain.executorWaitSeconds}, saying why and naming iteration 1's checkpoint.
         */
        @Test
        void losingEveryDeviceStopsAfterTheStatedWaitWithTheCheckpointIntact(@TempDir Path temp) throws Exception {
            Path checkpoints = temp.resolve("checkpoints");
            SparkConf conf = driverConf("tiletrain IT every device lost", checkpoints)
                    .set("spark.tiletrain.executorWaitSeconds", "10").set("spark.tiletrain.checkpoint.every", "1");
            AtomicLong killedAt = new AtomicLong();
            SparkListener drill = new SparkListener() {
                @Override
                public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
                    Properties job = submitted.properties();
                    if (job != null && "iter-2".equals(job.getProperty("spark.jobGroup.id"))
                            && killedAt.compareAndSet(0, System.nanoTime())) {
                        CLUSTER.cluster().status().daemons().forEach((daemon, process) -> {
                            if (daemon.startsWith("worker-")) {
                                process.descendants().forEach(ProcessHandle::destroyForcibly);
                                process.destroyForcibly();
                            }
                        });
                    }
                }
            };
            sc.sc().addSparkListener(drill);
            TrainingStopped stopped;
            long stoppedAt;
            try {
                stopped = assertThrows(TrainingStopped.class, () -> Trainer.run(sc, TiletrainConf.from(conf), false));
                stoppedAt = System.nanoTime();
            } finally {
                sc.sc().removeSparkListener(drill);
                if (killedAt.get() != 0) {
                    for (int i = 1; i <= CLUSTER.spec().workers(); i++) {
                        CLUSTER.restartWorker(i);
                    }
                }
            }
            System.out.printf("stopped %.1f s after the kill: %s%n", (stoppedAt - killedAt.get()) / 1e9,
                    stopped.getMessage());
            assertTrue(stopped.getMessage().contains("no executor was left for 10 s"), stopped.getMessage());
            Path newest = checkpoints.resolve("iter-00000001");
            assertTrue(stopped.getMessage().contains(newest.getFileName().toString()), stopped.getMessage());
            assertTrue(Files.size(newest.resolve(TrainCheckpoint.WEIGHTS)) > 0, "iteration 1's weights in " + newest);
        }
    }

    /** A run stopped after iteration 1, resumed by a new application from its checkpoint, ends the same. */
    @Test
    void resumesFromTheNewestCheckpoint(@TempDir Path temp) throws Exception {
        Path checkpoints = temp.resolve("checkpoints");
        SparkConf first = driverConf("tiletrain IT first iteration", checkpoints).set("spark.tiletrain.iterations", "1");
        try (JavaSparkContext sc = new JavaSparkContext(first)) {
            Trainer.run(sc, TiletrainConf.from(first), false);
        }
        SparkConf conf = driverConf("tiletrain IT resumed", checkpoints);
        Trainer.Outcome outcome;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            outcome = Trainer.run(sc, TiletrainConf.from(conf), true);
        }
        try (var files = Files.list(checkpoints)) {
            assertEquals(2, files.filter(p -> p.getFileName().toString().endsWith("-iterations.csv")).count(),
                    "each application's metrics CSV");
        }
        assertArrayEquals(tiled, fixture.weights(weightsOf(outcome)), "the uninterrupted in-process run");
    }

    /** {@code submit/train}: spark-submit of the jar with conf/'s defaults, in its own driver JVM. */
    @Test
    void submitTrainRunsTheJar(@TempDir Path temp) throws Exception {
        Path root = LoopbackClusterExtension.moduleDir().getParent();
        List<String> command = new ArrayList<>(List.of(root.resolve("submit/train").toString(), "--master",
                CLUSTER.masterUrl(), "--conf", "spark.executor.memory=512m",
                "--conf", "spark.executor.extraJavaOptions=" + LoopbackClusterExtension.QUICK_JIT,
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.tiletrain.masterWebUi=" + CLUSTER.masterWebUi()));
        fixture.sparkSettings(ITERATIONS, temp).forEach((k, v) -> command.addAll(List.of("--conf", k + "=" + v)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TILETRAIN_DRIVER_OPTS", "-Xmx1g " + LoopbackClusterExtension.QUICK_JIT);
        Process submit = builder.start();
        String output = new String(submit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(submit.waitFor(1, TimeUnit.MINUTES), output);
        assertEquals(0, submit.exitValue(), output);
        assertTrue(output.contains("iter 3/3 loss"), output);
        assertArrayEquals(tiled, fixture.weights(temp.resolve("iter-00000003").resolve(TrainCheckpoint.WEIGHTS)),
                "the in-process runner, through spark-submit");
    }

    /**
     * README's command for a real cluster, as written there, with its placeholders filled in and Spark's own
     * launcher class standing in for a distribution's {@code bin/spark-submit}; run from the repository root.
     */
    @Test
    void readmesRealClusterCommandTrains(@TempDir Path temp) throws Exception {
        Path root = LoopbackClusterExtension.moduleDir().getParent();
        String readme = Files.readString(root.resolve("README.md"));
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("```\n(spark-submit --master [^`]*)```")
                .matcher(readme);
        assertTrue(block.find(), "README has no spark-submit block");
        String written = block.group(1).replace("\\\n", " ").strip();
        String filled = written.replace("spark://HOST:7077", CLUSTER.masterUrl())
                .replace("DATA.data", fixture.data.toString()).replace("CHECKPOINTS", temp.toUri().toString());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(org.apache.spark.launcher.JavaModuleOptions.defaultModuleOptionArray()));
        command.addAll(List.of("-cp", LoopbackClusterExtension.sparkHome().classpath(),
                "org.apache.spark.deploy.SparkSubmit"));
        List<String> words = new ArrayList<>(List.of(filled.split("\\s+")));
        assertEquals("spark-submit", words.remove(0));
        // The test cluster's own needs, then README's options; a few iterations after the jar, as the usage allows.
        command.addAll(List.of("--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.executor.memory=512m", "--conf", "spark.tiletrain.masterWebUi=" + CLUSTER.masterWebUi(),
                "--conf", "spark.executor.extraJavaOptions=" + LoopbackClusterExtension.QUICK_JIT));
        command.addAll(words);
        command.addAll(List.of("--conf", "spark.tiletrain.iterations=2", "--conf", "spark.tiletrain.batch=2",
                "--conf", "spark.tiletrain.tiles=2x2", "--conf", "spark.tiletrain.groups=" + TrainingFixture.GROUPS));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process submit = builder.start();
        String output = new String(submit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(submit.waitFor(2, TimeUnit.MINUTES), output);
        assertEquals(0, submit.exitValue(), written + "\n" + output);
        assertTrue(Files.isRegularFile(temp.resolve("iter-00000002").resolve(TrainCheckpoint.WEIGHTS)), output);
    }

    private static SparkConf driverConf(String name, Path checkpoints) {
        SparkConf conf = TrainJob.configure(CLUSTER.driverConf(name));
        // The executors load the job from the built jar, as spark-submit ships it, not from target/classes.
        conf.remove("spark.executor.extraClassPath");
        conf.set("spark.jars", LoopbackClusterExtension.moduleDir().resolve("target/tiletrain-job.jar").toString());
        conf.set("spark.tiletrain.masterWebUi", CLUSTER.masterWebUi().toString());
        for (Map.Entry<String, String> e : fixture.sparkSettings(ITERATIONS, checkpoints).entrySet()) {
            conf.set(e.getKey(), e.getValue());
        }
        return conf;
    }

    private static Path weightsOf(Trainer.Outcome outcome) {
        return Path.of(new org.apache.hadoop.fs.Path(outcome.checkpoint().orElseThrow(), TrainCheckpoint.WEIGHTS).toUri());
    }

    /** Normwise relative closeness of the weights and of what training changed in them. */
    private static void assertClose(float[] actual, float[] expected, double tolerance, String what) {
        double weights = TrainingFixture.relative(actual, expected, null);
        double updates = TrainingFixture.relative(actual, expected, initial);
        System.out.printf("vs %s: weights %.3g, updates %.3g%n", what, weights, updates);
        assertTrue(weights <= tolerance, "weights vs " + what + ": " + weights);
        assertTrue(updates <= tolerance, "updates vs " + what + ": " + updates);
    }

    private static String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), uri + " answered " + response.body());
        return response.body();
    }
}
