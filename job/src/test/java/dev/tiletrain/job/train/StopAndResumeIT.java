package dev.tiletrain.job.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.job.checkpoint.CheckpointStore;
import dev.tiletrain.job.checkpoint.PartWriter;
import dev.tiletrain.job.cluster.LoopbackClusterExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver stopped by the person at the terminal (Ctrl-C) or killed outright, as {@code submit/train} runs
 * it: the run resumes from its checkpoint with {@code --resume} and ends with the weights of a run nobody
 * stopped, to the bit.
 */
class StopAndResumeIT {
    private static final int ITERATIONS = 4;
    private static final Pattern STOPPED = Pattern.compile("stopped after iteration (\\d+), checkpoint (\\S+); "
            + "resume with: submit/train --resume (.*)");

    @RegisterExtension
    static final LoopbackClusterExtension CLUSTER = new LoopbackClusterExtension(2);

    @TempDir
    static Path shared;

    private static TrainingFixture fixture;
    private static float[] uninterrupted;

    @BeforeAll
    static void trainInProcess() throws IOException {
        fixture = TrainingFixture.generate(shared.resolve("data"));
        uninterrupted = fixture.weights(fixture.trainInProcess(ITERATIONS, TrainingFixture.GRID,
                shared.resolve("in-process")));
    }

    /**
     * Ctrl-C (SIGINT) during iteration 2: the driver finishes the iteration, checkpoints it, prints one line
     * with the command that resumes, and exits with 130, without a stack trace.
     */
    @Test
    void ctrlCCheckpointsTheIterationAndPrintsTheResumeCommand(@TempDir Path temp) throws Exception {
        Run run = Run.start(submit(temp, false));
        run.await(line -> line.contains("iter 1/" + ITERATIONS));
        new ProcessBuilder("kill", "-INT", Long.toString(run.process.pid())).start().waitFor();
        assertTrue(run.process.waitFor(3, TimeUnit.MINUTES), run.output());
        String output = run.output();
        assertEquals(130, run.process.exitValue(), output);
        assertFalse(output.contains("\tat ") || output.contains("Exception"), "a stack trace:\n" + output);
        Matcher stopped = STOPPED.matcher(output);
        assertTrue(stopped.find(), output);
        int iteration = Integer.parseInt(stopped.group(1));
        assertTrue(iteration >= 1 && iteration < ITERATIONS, output);
        assertTrue(Files.isRegularFile(temp.resolve(String.format("iter-%08d", iteration)).resolve("weights")), output);

        Run resumed = Run.start(submit(temp, true));
        assertTrue(resumed.process.waitFor(5, TimeUnit.MINUTES), resumed.output());
        assertEquals(0, resumed.process.exitValue(), resumed.output());
        assertTrue(resumed.output().contains("resuming after iteration " + iteration), resumed.output());
        assertArrayEquals(uninterrupted, finalWeights(temp), "resumed after Ctrl-C vs a run nobody stopped");
    }

    /** SIGKILL of the driver in iteration 3: the checkpoint of iteration 2 is complete, and the run resumes. */
    @Test
    void aKilledDriverResumesFromItsLastCheckpoint(@TempDir Path temp) throws Exception {
        Run run = Run.start(submit(temp, false));
        run.await(line -> line.contains("checkpoint ") && line.contains("iter-00000002"));
        run.process.destroyForcibly();
        run.process.waitFor(1, TimeUnit.MINUTES);

        Run resumed = Run.start(submit(temp, true));
        assertTrue(resumed.process.waitFor(5, TimeUnit.MINUTES), resumed.output());
        assertEquals(0, resumed.process.exitValue(), resumed.output());
        assertTrue(resumed.output().contains("resuming after iteration 2"), resumed.output());
        assertArrayEquals(uninterrupted, finalWeights(temp), "resumed after SIGKILL vs a run nobody stopped");
    }

    /** A fresh run refuses a checkpoint directory that holds an earlier run's, before any training. */
    @Test
    void aFreshRunLeavesAnEarlierRunsCheckpointsAlone(@TempDir Path temp) throws Exception {
        CheckpointStore.at(temp.toUri().toString(), new Configuration()).write(1,
                Map.of("weights", PartWriter.of(new byte[] {1, 2, 3})));
        Path weights = temp.resolve("iter-00000001/weights");
        Run run = Run.start(submit(temp, false));
        assertTrue(run.process.waitFor(3, TimeUnit.MINUTES), run.output());
        assertEquals(2, run.process.exitValue(), run.output());
        assertTrue(run.output().contains("holds the checkpoints of an earlier run (newest: iteration 1): continue it "
                + "with --resume"), run.output());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(weights), "the earlier run's weights");
    }

    private static float[] finalWeights(Path checkpoints) throws IOException {
        return fixture.weights(checkpoints.resolve(String.format("iter-%08d", ITERATIONS)).resolve("weights"));
    }

    /** {@code submit/train} of the fixture's run against the test cluster, checkpointing every iteration. */
    private static List<String> submit(Path checkpoints, boolean resume) {
        Path root = LoopbackClusterExtension.moduleDir().getParent();
        // Ctrl-C is a SIGINT to the driver. A process started in the background of a non-interactive shell (a CI
        // script's `cmd &`) inherits SIGINT ignored, and a JVM that starts with it ignored never sees it: start the
        // driver with SIGINT as a terminal's foreground job has it (coreutils' env).
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT",
                root.resolve("submit/train").toString(), "--master", CLUSTER.masterUrl(),
                "--conf", "spark.executor.memory=512m",
                "--conf", "spark.executor.extraJavaOptions=" + LoopbackClusterExtension.QUICK_JIT,
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.tiletrain.masterWebUi=" + CLUSTER.masterWebUi(),
                "--conf", "spark.tiletrain.checkpoint.every=1"));
        fixture.sparkSettings(ITERATIONS, checkpoints).forEach((k, v) -> command.addAll(List.of("--conf", k + "=" + v)));
        if (resume) {
            command.add("--resume");
        }
        return command;
    }

    /** A driver process whose output is read as it comes. */
    private record Run(Process process, StringBuffer text, Thread reader) {
        static Run start(List<String> command) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("TILETRAIN_DRIVER_OPTS", "-Xmx1g " + LoopbackClusterExtension.QUICK_JIT);
            // submit/train gives the driver the secret of the cluster in this directory, which --master names.
            builder.environment().put("TILETRAIN_CLUSTER_DIR", CLUSTER.layout().root().toString());
            Process p = builder.start();
            StringBuffer text = new StringBuffer();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        text.append(line).append('\n');
                    }
                } catch (IOException e) {
                    text.append("(output lost: ").append(e).append(")\n");
                }
            }, "driver output");
            reader.start();
            return new Run(p, text, reader);
        }

        /** Waits for a line of the output that {@code wanted} accepts. */
        void await(Predicate<String> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < deadline) {
                if (text.toString().lines().anyMatch(wanted)) {
                    return;
                }
                if (!process.isAlive()) {
                    throw new AssertionError("the driver ended first:\n" + output());
                }
                Thread.sleep(100);
            }
            throw new AssertionError("no such line within 3 minutes:\n" + output());
        }

        String output() throws InterruptedException {
            if (!process.isAlive()) {
                reader.join(10_000);
            }
            return text.toString();
        }
    }
}
