package dev.tiletrain.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.job.TrainJob;
import dev.tiletrain.job.cluster.LoopbackClusterExtension;
import dev.tiletrain.job.cluster.TestBedMeter;
import dev.tiletrain.job.cluster.TestBedState;
import dev.tiletrain.job.conf.TiletrainConf;
import dev.tiletrain.tiles.DeviceLimits;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulated edge cluster ({@code submit/cluster start --workers 2 --cpu 0.4 --memory 1g --link 50mbit}),
 * one test bed for the class: its links carry their rate, its devices get their CPU share, the job trains on
 * it (driver on device 1, through {@code submit/train}) to the weights the in-process runner gives, and
 * {@code stop} leaves nothing behind, even after a Worker crashed. It sits beside the training tests to train
 * with their fixture. Skipped, saying why, only on a machine without root or cgroup v1.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmulatedClusterIT {
    private static final double SHARE = 0.4;
    private static final double MBIT = 50;
    private static final DeviceLimits LIMITS =
            DeviceLimits.NONE.withCpuShare(SHARE).withMemoryBytes(1L << 30).withLinkMbit(MBIT);
    /** Two: the second is the one the link drill disturbs; each more costs CI its time on 0.4 of a core. */
    private static final int ITERATIONS = 2;
    private static final long STREAM_BYTES = 16L << 20;
    private static final long MIB = 1 << 20;
    private static final int LINK_DOWN_SECONDS = 20;

    @RegisterExtension
    @Order(1)
    static final LoopbackClusterExtension BED = LoopbackClusterExtension.emulated(2, LIMITS);

    private static TestBedMeter meter() {
        return TestBedMeter.open(TestBedState.file(BED.layout()));
    }

    /** A byte stream from device 1 to device 2 crosses both links: each is shaped to the rate. */
    @Test
    @Order(1)
    void aByteStreamBetweenTwoDevicesRunsAtTheLinkRate() throws Exception {
        TestBedState bed = BED.testBed();
        String to = bed.devices().get(1).address();
        List<TestBedMeter.DeviceReading> before = meter().read();
        Process sink = probe(2, "sink", to, "5001");
        BufferedReader answer = new BufferedReader(new InputStreamReader(sink.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("listening", answer.readLine());
        Process send = probe(1, "send", to, "5001", Long.toString(STREAM_BYTES));
        assertTrue(send.waitFor(60, TimeUnit.SECONDS), "the sender did not finish");
        assertEquals(0, send.exitValue(), new String(send.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        String[] received = answer.readLine().split(" ");
        List<TestBedMeter.DeviceReading> after = meter().read();
        long bytes = Long.parseLong(received[1]);
        double seconds = Long.parseLong(received[2]) / 1e9;
        double mbit = bytes * 8 / seconds / 1e6;
        long sent = after.get(0).txBytes() - before.get(0).txBytes();
        long arrived = after.get(1).rxBytes() - before.get(1).rxBytes();
        System.out.printf("stream of %d bytes: %.2f s, %.1f Mbit/s of payload; links: device-1 sent %d bytes (%.1f Mbit/s"
                + " on the wire), device-2 received %d%n", bytes, seconds, mbit, sent, sent * 8 / seconds / 1e6, arrived);
        assertEquals(STREAM_BYTES, bytes);
        assertEquals(MBIT, mbit, MBIT * 0.1, "payload rate, Mbit/s");
        assertTrue(sent >= STREAM_BYTES && arrived >= STREAM_BYTES, "the link counters saw " + sent + " and " + arrived);
    }

    /** The CPU quota is a check of the emulation: a busy loop gets the share and no more. */
    @Test
    @Order(2)
    void aBusyLoopOnADeviceGetsItsCpuShare() throws Exception {
        Process spin = probe(2, "spin", "4");
        String answer = new String(spin.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(spin.waitFor(60, TimeUnit.SECONDS));
        assertTrue(answer.startsWith("share "), answer);
        double share = Double.parseDouble(answer.split(" ")[1]);
        System.out.printf("busy loop on device-2: %.3f of a core (quota %.2f)%n", share, SHARE);
        assertEquals(SHARE, share, 0.05);
    }

    /**
     * The driver's reader works where {@code submit/train} puts the driver, inside device 1's namespace; idle,
     * a device holds its Worker only.
     */
    @Test
    @Order(3)
    void theMeterReadsEveryDeviceFromInsideDevice1() throws Exception {
        Process reading = probe(1, "meter", TestBedState.file(BED.layout()).toString());
        List<String> lines = new String(reading.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(reading.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, reading.exitValue(), String.join("\n", lines));
        assertEquals(2, lines.size(), String.join("\n", lines));
        List<TestBedMeter.DeviceReading> outside = meter().read();
        for (int i = 0; i < 2; i++) {
            String[] inside = lines.get(i).split(" ");
            TestBedMeter.DeviceReading r = outside.get(i);
            assertEquals(r.device(), inside[0]);
            assertEquals(r.address(), inside[1]);
            assertTrue(Long.parseLong(inside[2]) > 0 && Long.parseLong(inside[2]) <= r.rxBytes(), lines.get(i));
            assertTrue(Long.parseLong(inside[4]) > 0, lines.get(i));
        }
        System.out.println("idle devices, memory now / peak: " + outside.stream().map(r -> String.format("%s %.0f / %.0f MiB",
                r.device(), r.memoryBytes() / (double) MIB, r.peakMemoryBytes() / (double) MIB)).toList());
    }

    /**
     * The run on the test bed ({@code submit/train}, driver on device 1) gives the in-process runner's weights, bit
     * for bit, as a loopback cluster does ({@code TrainJobIT}): the cheaper reference, trained while the test bed
     * runs. Device 1's peak holds the driver too.
     */
    @Test
    @Order(4)
    void trainingOnTheTestBedGivesTheInProcessRunnersWeights(@TempDir Path temp) throws Exception {
        TrainingFixture fixture = TrainingFixture.generate(temp.resolve("data"));
        Path onTestBed = temp.resolve("testbed");
        meter().resetPeaks();
        long t0 = System.nanoTime();
        Process submit = submitTrain(fixture, ITERATIONS, onTestBed, temp.resolve("submit.log"), Map.of());

        float[] inProcess = fixture.weights(fixture.trainInProcess(ITERATIONS, TrainingFixture.GRID,
                temp.resolve("in-process")));

        awaitSuccess(submit, temp.resolve("submit.log"));
        List<TestBedMeter.DeviceReading> devices = meter().read();
        System.out.printf("submit/train on the test bed: %.1f s; peaks %s%n", (System.nanoTime() - t0) / 1e9,
                devices.stream().map(r -> String.format("%s %.0f MiB", r.device(), r.peakMemoryBytes() / (double) MIB)).toList());

        // Every sum adds in the tiles' order, whatever the devices: the same bits as in one process.
        assertArrayEquals(inProcess, fixture.weights(lastWeights(onTestBed, ITERATIONS)),
                "test bed vs the in-process runner");
        // Both devices hold a Worker and an executor; only device 1 holds the driver's JVM as well.
        assertTrue(devices.get(0).peakMemoryBytes() > devices.get(1).peakMemoryBytes() + 100 * MIB,
                "device-1 does not hold the driver: " + devices);
    }

    /**
     * One tile on two devices, two passes an iteration: the job releases the executor of the driver's device, which
     * then runs no tile, so {@code overlapPasses=auto} overlaps the passes (a pass's tile on device 2 while the
     * driver computes the other's tail), and the weights are the in-process runner's with the same grid and passes,
     * to the bit. One iteration: its two passes are what overlaps.
     */
    @Test
    @Order(5)
    void withTheDriversDeviceFreeAutoOverlapsThePassesToTheSameWeights(@TempDir Path temp) throws Exception {
        TrainingFixture fixture = TrainingFixture.generate(temp.resolve("data"));
        Path onTestBed = temp.resolve("testbed"), log = temp.resolve("submit.log");
        Process submit = submitTrain(fixture, 1, onTestBed, log,
                Map.of("spark.tiletrain.tiles", "1x1", "spark.tiletrain.subdivisions", "2"));
        float[] inProcess = fixture.weights(fixture.trainInProcess(1, "1x1", temp.resolve("in-process"),
                "--subdivisions", "2", "--groups", TrainingFixture.GROUPS));
        String output = awaitSuccess(submit, log);
        assertTrue(output.contains("released executor(s)"), output);
        assertTrue(output.contains("spark.tiletrain.overlapPasses=auto: passes overlapped"), output);
        assertArrayEquals(inProcess, fixture.weights(lastWeights(onTestBed, 1)), "overlapped on the test bed vs in-process");
    }

    /**
     * Starts {@code submit/train} (driver on device 1) on the fixture for {@code iterations} with {@code changes} to
     * its settings, its output to {@code log}.
     */
    private static Process submitTrain(TrainingFixture fixture, int iterations, Path checkpoints, Path log,
            Map<String, String> changes) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                LoopbackClusterExtension.moduleDir().getParent().resolve("submit/train").toString(),
                "--conf", "spark.executor.extraJavaOptions=" + LoopbackClusterExtension.QUICK_JIT));
        Map<String, String> settings = new TreeMap<>(fixture.sparkSettings(iterations, checkpoints));
        settings.putAll(changes);
        settings.forEach((k, v) -> command.addAll(List.of("--conf", k + "=" + v)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("TILETRAIN_CLUSTER_DIR", BED.layout().root().toString());
        return builder.start();
    }

    /** Waits up to 5 minutes for {@code submit} to end with exit code 0; returns its output. */
    private static String awaitSuccess(Process submit, Path log) throws Exception {
        boolean ended = submit.waitFor(5, TimeUnit.MINUTES);
        String output = Files.readString(log);
        assertTrue(ended, output);
        assertEquals(0, submit.exitValue(), output);
        return output;
    }

    /**
     * Device 2's link down for 20 s (longer than any task takes) while iteration 2 runs, then up again: Spark
     * waits for it (nothing times out within spark.network.timeout's 120 s) and the run ends with the weights
     * of an undisturbed run, to the bit. The driver runs here, on the bridge's side.
     */
    @Test
    @Order(6)
    void aLinkDownAndBackAgainLeavesTheWeightsUnchanged(@TempDir Path temp) throws Exception {
        TrainingFixture fixture = TrainingFixture.generate(temp.resolve("data"));
        // Undisturbed, the job gives the in-process runner's weights to the bit (TrainJobIT): the cheaper reference.
        float[] undisturbed = fixture.weights(fixture.trainInProcess(ITERATIONS, TrainingFixture.GRID, temp.resolve("in-process")));
        String link = BED.testBed().devices().get(1).link();
        AtomicReference<Thread> outage = new AtomicReference<>();
        Path disturbed = train(fixture, temp.resolve("disturbed"), sc -> sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
                Properties job = submitted.properties();
                if (job != null && "iter-2".equals(job.getProperty("spark.jobGroup.id")) && outage.get() == null) {
                    Thread t = new Thread(() -> linkDown(link, LINK_DOWN_SECONDS), "link down");
                    outage.set(t);
                    t.start();
                }
            }
        }));
        assertTrue(outage.get() != null, "the link was never taken down");
        outage.get().join();
        assertArrayEquals(undisturbed, fixture.weights(disturbed), "the run with the link down vs undisturbed");
    }

    /** Takes a device's link (the host end of its veth pair) down for {@code seconds}, then up again. */
    private static void linkDown(String link, int seconds) {
        try {
            ip("link", "set", "dev", link, "down");
            System.out.printf("link %s down for %d s%n", link, seconds);
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ip("link", "set", "dev", link, "up");
        }
    }

    private static void ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            assertEquals(0, p.waitFor(), String.join(" ", command));
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(String.join(" ", command), e);
        }
    }

    /**
     * Trains the fixture for {@link #ITERATIONS} with a driver in this JVM on the test bed, the executors loading
     * the built jar; {@code before} sees the context first. Returns the last checkpoint's weights.
     */
    private static Path train(TrainingFixture fixture, Path checkpoints, Consumer<JavaSparkContext> before)
            throws IOException {
        SparkConf conf = TrainJob.configure(BED.driverConf("tiletrain IT on " + BED.masterUrl()));
        conf.remove("spark.executor.extraClassPath");
        conf.set("spark.jars", LoopbackClusterExtension.moduleDir().resolve("target/tiletrain-job.jar").toString());
        conf.set("spark.tiletrain.masterWebUi", BED.masterWebUi().toString());
        fixture.sparkSettings(ITERATIONS, checkpoints).forEach(conf::set);
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            before.accept(sc);
            Trainer.run(sc, TiletrainConf.from(conf), false);
        }
        return lastWeights(checkpoints, ITERATIONS);
    }

    /**
     * A Worker killed (a crash) with a process still on its device (an orphaned executor): {@code stop}
     * stops that process and removes every namespace, link, bridge and cgroup the test bed made.
     */
    @Test
    @Order(7)
    void stopLeavesNothingBehindAlsoAfterACrash() throws Exception {
        TestBedState bed = BED.testBed();
        Process orphan = probe(2, "spin", "600");
        ProcessHandle worker = BED.cluster().status().daemons().get("worker-2");
        worker.destroyForcibly();
        worker.onExit().get(30, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        List<String> stopped = BED.cluster().stop();
        System.out.printf("stop after a crash: %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, stopped);
        assertTrue(stopped.stream().anyMatch(s -> s.startsWith("pid " + orphan.pid() + " left in")), stopped.toString());
        assertFalse(orphan.isAlive());
        String prefix = "tt" + bed.id();
        for (Path dir : List.of(Path.of("/run/netns"), Path.of("/sys/class/net"), Path.of("/sys/fs/cgroup/cpu"),
                Path.of("/sys/fs/cgroup/memory"))) {
            try (Stream<Path> entries = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
                List<String> left = entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
                assertEquals(List.of(), left, "left in " + dir);
            }
        }
        assertFalse(Files.exists(TestBedState.file(BED.layout())));
    }

    private static Path lastWeights(Path checkpoints, int iterations) {
        return checkpoints.resolve(String.format("iter-%08d", iterations)).resolve(TrainCheckpoint.WEIGHTS);
    }

    /** Runs {@code EmulatedDeviceProbe} on device {@code device}, in its cgroups and namespace. */
    private static Process probe(int device, String... args) throws IOException {
        Path module = LoopbackClusterExtension.moduleDir();
        List<String> command = new ArrayList<>(BED.onDevice(device));
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                String.join(File.pathSeparator, module.resolve("target/test-classes").toString(),
                        module.resolve("target/classes").toString(),
                        module.resolve("../tiles/target/classes").normalize().toString()),
                "dev.tiletrain.job.cluster.EmulatedDeviceProbe"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
