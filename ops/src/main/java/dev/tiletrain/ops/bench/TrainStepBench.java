package dev.tiletrain.ops.bench;

import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;
import dev.tiletrain.ops.layers.WinogradUse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code tiletrain bench}: the median time of one untiled training step per configuration (model, input
 * size, batch, compute threads), its convolution GFLOP/s and peak live heap. Each configuration runs in a
 * child JVM of its own ({@link StepTiming}), one after another: OpenBLAS takes its thread count from
 * OPENBLAS_NUM_THREADS when it loads, and configurations running side by side would time each other.
 */
public final class TrainStepBench {
    private static final String USAGE = """
            Usage: tiletrain bench [--models CFG,...] [--sizes S,...] [--batches B,...] [--threads T,...]
                                   [--split java|openblas] [--steps N] [--warmup N] [--heap SIZE] [--layers]

            Times one untiled training step (forward, backward, SGD update) per configuration, each in its own
            JVM, one after another, and prints the median over N steps after the warm-up, the fastest and
            slowest, the median CPU time of the whole JVM per step (GC and BLAS threads included; on a shared
            machine, wall time above CPU time × threads is time other work took), the convolutions' GFLOP/s
            (their direct products, forward, weight and input gradients, also where Winograd's algorithm
            computes them with fewer; no input gradient for the first layer) and the peak live heap. The step
            is the one submit/pytorch-train-step builds in PyTorch from the same cfg: batch norm with batch
            statistics, loss ½·Σ out²/batch at the last layer before a trailing [region] or [cost] (left out),
            backward without the input's gradient, Darknet's SGD update from [net]. JVM options for the
            children: TILETRAIN_JAVA_OPTS, e.g. -Dtiletrain.winograd=off to time im2col alone.

              --models CFG,...   cfg files (default conf/yolov2-voc-prefix16.cfg,conf/yolov2-tiny-voc.cfg)
              --sizes S,...      square input sides (default 416)
              --batches B,...    images per step (default 1,4)
              --threads T,...    threads of the step (default 1,2)
              --split WHO        who uses the T threads: java (default; the compute threads of a Spark task,
                                 spark.tiletrain.threads, with OPENBLAS_NUM_THREADS=1) or openblas (its own
                                 threads inside each GEMM, everything else on one thread)
              --steps N          timed steps (default 7)
              --warmup N         untimed steps before them (default 3)
              --heap SIZE        the child JVMs' fixed, pre-touched heap, as for -Xmx (default 3g)
              --layers           also time each layer's forward and backward alone, on the step's own
                                 tensors, best of N per layer, and print them summed per kind of layer
                                 (conv, batchnorm, activation, maxpool, ...) after the table
            """;
    private static final String DEFAULT_MODELS = "conf/yolov2-voc-prefix16.cfg,conf/yolov2-tiny-voc.cfg";

    private TrainStepBench() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Arguments a = Arguments.parse(args, Set.of("models", "sizes", "batches", "threads", "split", "steps", "warmup", "heap",
                    "layers"), Set.of("layers"));
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            return bench(a, out, err);
        } catch (UsageException e) {
            err.println("bench: " + e.getMessage());
            err.println("Try 'tiletrain bench --help'.");
            return 2;
        } catch (IOException e) {
            err.println("bench: " + e.getMessage());
            return 1;
        }
    }

    private static int bench(Arguments a, PrintStream out, PrintStream err) throws UsageException, IOException {
        List<Path> models = new ArrayList<>();
        for (String m : a.get("models", DEFAULT_MODELS).split(",")) {
            Path p = Path.of(m.trim());
            if (!Files.isRegularFile(p)) {
                throw new UsageException("--models: no cfg file " + p.toAbsolutePath()
                        + (a.has("models") ? "" : " (run from the project root, or name the cfgs)"));
            }
            models.add(p);
        }
        List<Integer> sizes = integers(a, "sizes", "416", 8, 4096);
        List<Integer> batches = integers(a, "batches", "1,4", 1, 256);
        List<Integer> threads = integers(a, "threads", "1,2", 1, 256);
        int steps = a.integer("steps", 7, 1, 100_000);
        int warmup = a.integer("warmup", 3, 0, 100_000);
        String split = a.get("split", "java");
        if (!split.equals("java") && !split.equals("openblas")) {
            throw new UsageException("--split must be java or openblas, got '" + split + "'");
        }
        String heap = a.get("heap", "3g");
        if (!heap.matches("[0-9]+[kKmMgG]?")) {
            throw new UsageException("--heap must be a size such as 3g or 2048m, got '" + heap + "'");
        }
        out.printf("untiled training step, median of %d after %d warm-up, one JVM per row (-Xms%s -Xmx%s, pre-touched),"
                + " threads split by %s%n", steps, warmup, heap, heap, split);
        out.printf("%-22s %5s %5s %7s %10s %9s %9s %8s %10s %8s %12s%n", "model", "size", "batch", "threads",
                "median ms", "min ms", "max ms", "CPU ms", "GFLOP", "GFLOP/s", "live heap MB");
        String backend = null;
        boolean layers = a.has("layers");
        List<String> layerRows = new ArrayList<>();
        for (Path model : models) {
            for (int size : sizes) {
                for (int batch : batches) {
                    for (int t : threads) {
                        String name = model.getFileName().toString().replaceFirst("\\.cfg$", "");
                        List<String[]> kinds = new ArrayList<>();
                        StepTiming.Result r = child(model, size, batch, t, split.equals("java"), steps, warmup, heap, layers,
                                kinds);
                        if (r == null) {
                            err.printf("bench: %s at %d, batch %d, %d threads failed (its JVM's errors are above)%n",
                                    model, size, batch, t);
                            return 1;
                        }
                        backend = r.backend();
                        for (String[] k : kinds) {
                            layerRows.add(String.format("%-22s %5d %5d %7d %-12s %10.1f %10.1f", name, size, batch, t, k[0],
                                    Double.parseDouble(k[1]), Double.parseDouble(k[2])));
                        }
                        out.printf("%-22s %5d %5d %7d %10.1f %9.1f %9.1f %8.1f %10.2f %8.1f %12.0f%n", name, size, batch,
                                t, r.medianMs(), r.minMs(), r.maxMs(), r.cpuMs(), r.gflop(), r.gflop() * 1e3 / r.medianMs(),
                                r.liveHeap() / 1e6);
                    }
                }
            }
        }
        out.println("GEMM: " + backend + "; Winograd F(2x2,3x3) for 3x3/1 convolutions: " + WinogradUse.current()
                + " (-Dtiletrain.winograd=auto|all|off); GFLOP counts the convolutions' direct products only (forward,"
                + " weight and input gradients), whichever algorithm computes them");
        if (layers) {
            out.printf("%nper kind of layer: each layer alone, best of %d, summed%n", steps);
            out.printf("%-22s %5s %5s %7s %-12s %10s %10s%n", "model", "size", "batch", "threads", "layer", "forward ms",
                    "backward ms");
            layerRows.forEach(out::println);
        }
        return 0;
    }

    /**
     * Runs one configuration in a child JVM with this JVM's flags and classpath, its threads in Java (compute
     * threads over a single-threaded OpenBLAS) or in OpenBLAS; null when it failed. With {@code layers} the child
     * also times each layer, and {@code kinds} gets its sums per kind: [kind, forward ms, backward ms].
     */
    private static StepTiming.Result child(Path model, int size, int batch, int threads, boolean java, int steps,
                                           int warmup, String heap, boolean layers, List<String[]> kinds) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!heapOrDebugFlag(flag)) {
                cmd.add(flag);
            }
        }
        // A fixed heap touched up front: otherwise page faults of a growing heap land inside the timed steps.
        cmd.addAll(List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"),
                StepTiming.class.getName(), model.toString(), Integer.toString(size), Integer.toString(batch),
                Integer.toString(steps), Integer.toString(warmup), Integer.toString(java ? threads : 1)));
        if (layers) {
            cmd.add("LAYERS");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(java ? 1 : threads));
        Process p = pb.start();
        StepTiming.Result result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith(StepTiming.PREFIX)) {
                    result = StepTiming.Result.decode(line);
                } else if (line.startsWith(StepTiming.LAYER_PREFIX + "\t")) {
                    kinds.add(line.substring(StepTiming.LAYER_PREFIX.length() + 1).split("\t"));
                }
            }
        }
        try {
            return p.waitFor() == 0 ? result : null;
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + model + " ran", e);
        }
    }

    /** Flags the child sets itself (heap) or must not inherit (a debugger's port). */
    private static boolean heapOrDebugFlag(String flag) {
        return flag.startsWith("-Xmx") || flag.startsWith("-Xms") || flag.startsWith("-XX:MaxHeapSize")
                || flag.startsWith("-XX:InitialHeapSize") || flag.contains("AlwaysPreTouch")
                || flag.startsWith("-agentlib:jdwp") || flag.startsWith("-Xrunjdwp");
    }

    private static List<Integer> integers(Arguments a, String name, String fallback, int min, int max) throws UsageException {
        List<Integer> values = new ArrayList<>();
        for (String v : a.get(name, fallback).split(",")) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= min && n <= max) {
                    values.add(n);
                    continue;
                }
            } catch (NumberFormatException e) {
                // reported below with the allowed range
            }
            throw new UsageException("--" + name + " takes integers in " + min + ".." + max + " separated by commas, got '"
                    + a.get(name, fallback) + "'");
        }
        return values;
    }
}
