package dev.tiletrain.tiles;

import com.sun.management.OperatingSystemMXBean;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.gemm.Gemm;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Measures in this JVM the rates a {@link DeviceProfile} needs, on a network's own tileable layers (one
 * image, whole maps, training forward and backward): convolution GFLOP/s and the memory-bound layers' GB/s,
 * both counted as {@link LayerCost} counts them, so that the cost model fed these rates predicts the times
 * they were measured from. Each layer's time is the best of some repeats after one warm-up. GEMM threads
 * are whatever OpenBLAS read from {@code OPENBLAS_NUM_THREADS} when it loaded, which is why
 * {@code tiletrain profile} runs this in a child JVM per thread count.
 */
public final class DeviceProbe {
    /** Floats of the arrays the plain copy rate is measured on (64 MiB, far beyond any cache). */
    private static final int COPY_FLOATS = 1 << 24;

    /**
     * A rate by two clocks: by wall time, best of the repeats (what the layers got on this machine, as loaded
     * as it was), and by the process's CPU time shared out over the threads, averaged over the repeats (near
     * what an idle machine gives when other processes take cores from the timed calls; counts a spinning
     * GEMM thread as working, and the JVM's compiler and collector threads too, which weigh on small nets).
     */
    public record Clocked(double wall, double cpu) {
        /** The rate by {@code clock}: {@code wall} or {@code cpu}. */
        public double by(String clock) {
            return clock.equals("cpu") ? cpu : wall;
        }
    }

    /**
     * @param conv     convolution GFLOP/s
     * @param memory   memory-bound layers' GB/s
     * @param copyGBps {@code System.arraycopy}'s rate (bytes read plus written), a yardstick that relates the
     *                 memory-bound layers' rate to the machine's plain copy bandwidth
     * @param load     the system load average (1 minute) when the probe finished
     */
    public record Rates(Clocked conv, Clocked memory, double copyGBps, double load, String gemm) {
        /** The lines a child JVM prints and {@link #parse} reads. */
        String lines() {
            return "conv " + conv.wall() + " " + conv.cpu() + "\nmemory " + memory.wall() + " " + memory.cpu()
                    + "\ncopy " + copyGBps + "\nload " + load + "\ngemm " + gemm + "\n";
        }

        public static Rates parse(String output) {
            Map<String, String> values = new HashMap<>();
            for (String line : output.split("\n")) {
                String[] kv = line.trim().split(" ", 2);
                if (kv.length == 2) {
                    values.put(kv[0], kv[1]); // other lines are the child's logs
                }
            }
            try {
                return new Rates(clocked(values.get("conv")), clocked(values.get("memory")),
                        Double.parseDouble(values.get("copy")), Double.parseDouble(values.get("load")),
                        Objects.requireNonNull(values.get("gemm")));
            } catch (NullPointerException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalStateException("the probe printed no rates:\n" + output);
            }
        }

        private static Clocked clocked(String text) {
            String[] wallCpu = text.split(" ");
            return new Clocked(Double.parseDouble(wallCpu[0]), Double.parseDouble(wallCpu[1]));
        }
    }

    private DeviceProbe() {
    }

    /** {@code DeviceProbe CFG SIZE REPEATS THREADS}: prints the rates of the cfg's network at SIZE×SIZE. */
    public static void main(String[] args) throws IOException {
        Network net = network(Path.of(args[0]), Integer.parseInt(args[1]));
        System.out.print(measure(net, Integer.parseInt(args[2]), Integer.parseInt(args[3])).lines());
    }

    /** The network the probe measures: the cfg's, at {@code size}×{@code size}. */
    public static Network network(Path cfg, int size) throws IOException {
        return ModelBuilder.build(CfgParser.parse(cfg), BatchNorm.Mode.SYNC, 1, new Shape(3, size, size)).network();
    }

    /**
     * MiB of heap a probe of {@code net} needs, twice over for the collector: the parameters, the copy
     * arrays, and a layer's input, output and their two gradients for the largest layer.
     */
    public static long heapMb(Network net) {
        double floats = 2.0 * COPY_FLOATS;
        long largest = 0;
        for (Block b : net.blocks()) {
            for (Layer l : b.layers()) {
                largest = Math.max(largest, (long) l.inputShape().size() + l.outputShape().size());
                for (Param p : l.params()) {
                    floats += p.size();
                }
            }
        }
        return (long) (2 * 4 * (floats + 2.0 * largest) / (1 << 20)) + 64;
    }

    /** Measures with GEMMs that use {@code threads} threads (which OpenBLAS decided when it loaded). */
    public static Rates measure(Network net, int repeats, int threads) {
        Random random = new Random(1);
        double flops = 0, convSeconds = 0, convCpuSeconds = 0, bytes = 0, memorySeconds = 0, memoryCpuSeconds = 0;
        for (Block b : net.blocks()) {
            if (!b.tileable()) {
                continue;
            }
            for (Layer l : b.layers()) {
                double[] best = bestSeconds(l, repeats, random);
                Rect out = l.outputShape().full();
                if (LayerCost.memoryBound(l)) {
                    bytes += 3 * LayerCost.forwardBytes(l, out);
                    memorySeconds += best[0];
                    memoryCpuSeconds += best[1] / repeats;
                } else {
                    flops += 3 * LayerCost.forwardFlops(l, out);
                    convSeconds += best[0];
                    convCpuSeconds += best[1] / repeats / threads;
                }
            }
        }
        if (flops == 0 || bytes == 0) {
            throw new IllegalArgumentException("the network has no tileable convolution or no memory-bound layer to measure");
        }
        return new Rates(new Clocked(flops / convSeconds / 1e9, flops / convCpuSeconds / 1e9),
                new Clocked(bytes / memorySeconds / 1e9, bytes / memoryCpuSeconds / 1e9), copyGBps(repeats),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Gemm.standard().backend());
    }

    /**
     * The best wall seconds of a training forward and backward of {@code layer} over its whole map, after a
     * warm-up, and the process CPU seconds of all timed repeats (the clock ticks in milliseconds, too coarse
     * for one call of a small layer).
     */
    private static double[] bestSeconds(Layer layer, int repeats, Random random) {
        Tensor x = random(layer.inputShape(), random), dy = random(layer.outputShape(), random);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] best = {Double.MAX_VALUE, 0};
        for (int r = 0; r <= repeats; r++) {
            WholeMapPass pass = new WholeMapPass(true, 0);
            long cpu = os.getProcessCpuTime(), start = System.nanoTime();
            Tensor y = layer.forward(x, layer.outputShape().full(), pass);
            layer.backward(x, y, dy, pass);
            long took = System.nanoTime() - start, cpuTook = os.getProcessCpuTime() - cpu;
            if (r > 0) {
                best[0] = Math.min(best[0], took / 1e9);
                best[1] += cpuTook / 1e9;
            }
        }
        return best;
    }

    private static double copyGBps(int repeats) {
        float[] from = new float[COPY_FLOATS], to = new float[COPY_FLOATS];
        Arrays.fill(from, 1f);
        long best = Long.MAX_VALUE;
        for (int r = 0; r <= repeats; r++) {
            long start = System.nanoTime();
            System.arraycopy(from, 0, to, 0, COPY_FLOATS);
            long took = System.nanoTime() - start;
            if (r > 0) {
                best = Math.min(best, took);
            }
        }
        return 2.0 * 4 * COPY_FLOATS / best;
    }

    private static Tensor random(Shape s, Random random) {
        Tensor t = Tensor.zeros(1, s);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = random.nextFloat() * 2 - 1;
        }
        return t;
    }
}
