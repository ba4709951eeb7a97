package dev.tiletrain.ops.bench;

import dev.tiletrain.ops.gemm.Gemm;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.parallel.ComputeThreads;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The child JVM of {@code tiletrain bench}: times one configuration ({@link TrainStep}) and prints one
 * {@link Result} line. It runs alone in its JVM because OpenBLAS reads OPENBLAS_NUM_THREADS once, when
 * it loads.
 *
 * <p>Arguments: {@code CFG SIZE BATCH STEPS WARMUP THREADS [LAYERS]}, THREADS the {@link ComputeThreads} of the
 * step; with LAYERS, after the timed steps it also prints one {@link #LAYER_PREFIX} line per kind of layer:
 * forward and backward ms, each layer's best of STEPS, summed ({@code TrainStep.layerTimes}).
 */
public final class StepTiming {
    /** What the parent reads from the child's standard output: the line starting with this. */
    static final String PREFIX = "step-timing";
    /** A line of per-layer times: this, the kind, forward ms, backward ms, tab-separated. */
    static final String LAYER_PREFIX = "layer-timing";

    /**
     * Median, fastest and slowest step (wall ms), the median CPU time of the whole process per step (ms, GC
     * and BLAS threads included, in the OS's 10 ms ticks), the step's conv GFLOP, the peak live heap
     * (bytes), the GEMM engine.
     */
    record Result(double medianMs, double minMs, double maxMs, double cpuMs, double gflop, long liveHeap, String backend) {
        String encode() {
            return String.join("\t", PREFIX, Double.toString(medianMs), Double.toString(minMs), Double.toString(maxMs),
                    Double.toString(cpuMs), Double.toString(gflop), Long.toString(liveHeap), backend);
        }

        static Result decode(String line) {
            String[] f = line.split("\t");
            if (f.length != 8 || !f[0].equals(PREFIX)) {
                throw new IllegalArgumentException("not a " + PREFIX + " line: " + line);
            }
            return new Result(Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]), Double.parseDouble(f[5]), Long.parseLong(f[6]), f[7]);
        }
    }

    private StepTiming() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 6 && !(args.length == 7 && args[6].equals("LAYERS"))) {
            System.err.println("usage: StepTiming CFG SIZE BATCH STEPS WARMUP THREADS [LAYERS]");
            System.exit(2);
        }
        ComputeThreads.set(Integer.parseInt(args[5]));
        Result r = measure(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Integer.parseInt(args[3]), Integer.parseInt(args[4]), args.length == 7);
        System.out.println(r.encode());
    }

    /**
     * Runs {@code warmup} untimed steps, then {@code steps} timed ones, then one more through a
     * {@link LiveHeapProbe} (its collections would distort the timing).
     */
    static Result measure(Path cfg, int size, int batch, int steps, int warmup, boolean layers) throws IOException {
        TrainStep step = new TrainStep(cfg, size, batch);
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] ms = new double[steps], cpu = new double[steps];
        for (int i = 0; i < steps; i++) {
            long start = System.nanoTime(), cpuStart = os.getProcessCpuTime();
            step.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
            cpu[i] = (os.getProcessCpuTime() - cpuStart) / 1e6;
        }
        if (layers) {
            step.layerTimes(steps).forEach((kind, best) -> System.out.println(String.join("\t", LAYER_PREFIX, kind,
                    Double.toString(best[0]), Double.toString(best[1]))));
        }
        WholeMapPass pass = new WholeMapPass(true, -1);
        LiveHeapProbe probe = new LiveHeapProbe(pass);
        probe.sample();
        step.run(probe, pass);
        Arrays.sort(ms);
        return new Result(median(ms), ms[0], ms[steps - 1], median(cpu), step.convFlops() / 1e9, probe.peak(),
                Gemm.standard().backend());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
