package dev.tiletrain.tiles;

import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.net.BackwardStart;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/*
 * The cost model's in-process memory against the heap the in-process runner really needs, for configurations
 * given as CFG:SIZE:GRID:GROUPS:BATCH (default: the three below). Run from the worktree root:
 *
 *   mvn -B -q -o -pl ops,tiles test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath && java -cp tiles/target/test-classes:tiles/target/classes:ops/target/classes:$(cat tiles/target/bench.classpath) dev.tiletrain.tiles.RunnerHeap
 *
 * Method: every trial is a fresh JVM (serial collector, a fixed 4 MiB young generation so that the old
 * generation holds nearly everything, -Xms = -Xmx, exit code 3 on OutOfMemoryError) that builds the network,
 * its random input batch and output gradient, collects garbage, reads the used heap (the baseline: weights,
 * batch, classes), then runs one iteration of the plan on 2 threads. The smallest -Xmx that completes is
 * found by bisection to 1 MiB; measured = that heap minus the baseline. A full collection compacts the whole
 * heap before the JVM gives up, so what remains above the live peak is at most the young generation.
 * It prints predicted and measured MB per configuration; the model has stayed within 1.5% of the
 * measurement on all three.
 */
final class RunnerHeap {
    private static final int THREADS = 2;
    private static final List<String> CONFIGURATIONS = List.of(
            "conf/yolov2-voc-prefix16.cfg:224:2x2:0-15:1",
            "conf/yolov2-voc-prefix16.cfg:416:2x2:0-3,4-9,10-15:1",
            "conf/yolov2-tiny-voc.cfg:416:2x3:0-1,2-5,6-7:2");

    private RunnerHeap() {
    }

    /** One configuration: a cfg at SIZE×SIZE, its grid and groups (tail: the rest of the net), a batch. */
    private record Configuration(String cfg, int size, Grid grid, Grouping groups, int batch) {
        static Configuration parse(String text) {
            String[] p = text.split(":");
            if (p.length != 5) {
                throw new IllegalArgumentException("'" + text + "' is not CFG:SIZE:GRID:GROUPS:BATCH");
            }
            return new Configuration(p[0], Integer.parseInt(p[1]), Grid.parse(p[2]), Grouping.parse(p[3]),
                    Integer.parseInt(p[4]));
        }

        Network network() throws IOException {
            return ModelBuilder.build(CfgParser.parse(Path.of(cfg)), BatchNorm.Mode.SYNC, 1, new Shape(3, size, size))
                    .network();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--trial")) {
            trial(Configuration.parse(args[1]));
            return;
        }
        List<String> configurations = args.length > 0 ? List.of(args) : CONFIGURATIONS;
        System.out.printf("%-55s %12s %12s %8s  %s%n", "configuration", "predicted MB", "measured MB", "error",
                "prediction's peak moment; activations, tile gradients, input deltas MB");
        for (String text : configurations) {
            Configuration c = Configuration.parse(text);
            TrainingPlan plan = TrainingPlan.of(c.network(), c.groups(), c.grid());
            InProcessMemory.RunnerMemory predicted = InProcessMemory.of(plan, c.batch(), THREADS);
            long measured = measure(text, predicted.peak());
            System.out.printf("%-55s %12.1f %12.1f %+7.1f%%  %s; %.1f, %.1f, %.1f%n", text, mb(predicted.peak()), mb(measured),
                    100.0 * (predicted.peak() - measured) / measured, predicted.moment(), mb(predicted.activations()),
                    mb(predicted.tileGradients()), mb(predicted.inputDeltas()));
        }
    }

    /** The heap above the baseline that one iteration needs, by bisection over -Xmx in MiB. */
    private static long measure(String configuration, long predicted) throws IOException, InterruptedException {
        long guess = predicted >> 20;
        Trial high = run(configuration, 2 * guess + 64);
        while (!high.completed()) {
            high = run(configuration, 2 * high.heapMb());
        }
        Trial low = run(configuration, Math.max(8, guess / 2));
        while (low.completed()) {
            high = low;
            low = run(configuration, Math.max(8, low.heapMb() / 2));
        }
        while (high.heapMb() - low.heapMb() > 1) {
            Trial mid = run(configuration, (high.heapMb() + low.heapMb()) / 2);
            if (mid.completed()) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return (high.heapMb() << 20) - high.baseline();
    }

    private record Trial(long heapMb, boolean completed, long baseline) {}

    private static Trial run(String configuration, long heapMb) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmn4m", "-Xms" + heapMb + "m", "-Xmx" + heapMb + "m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), RunnerHeap.class.getName(), "--trial", configuration));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        Process p = pb.start();
        long baseline = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("baseline ")) {
                    baseline = Long.parseLong(line.substring(9).trim());
                }
            }
        }
        int code = p.waitFor();
        if (code != 0 && code != 3) {
            throw new IllegalStateException("trial at -Xmx" + heapMb + "m exited with " + code);
        }
        System.err.printf("  -Xmx%dm: %s%n", heapMb, code == 0 ? "completed" : "out of memory");
        return new Trial(heapMb, code == 0 && baseline >= 0, baseline);
    }

    /** In the trial JVM: the baseline after a full collection, then one iteration. */
    private static void trial(Configuration c) throws IOException {
        Network net = c.network();
        TrainingPlan plan = TrainingPlan.of(net, c.groups(), c.grid());
        Random random = new Random(7);
        Tensor input = random(c.batch(), net.input(), random);
        BackwardStart seed = new BackwardStart.Gradient(random(c.batch(), net.output(), random));
        System.gc();
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.println("baseline " + (rt.totalMemory() - rt.freeMemory()));
        System.out.flush();
        try (InProcessRunner runner = new InProcessRunner(plan, THREADS)) {
            runner.run(input, seed, true, 0, 0);
        }
    }

    private static Tensor random(int n, Shape s, Random random) {
        Tensor t = Tensor.zeros(n, s);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = random.nextFloat() - 0.5f;
        }
        return t;
    }

    private static double mb(long bytes) {
        return bytes / 1048576.0;
    }
}
