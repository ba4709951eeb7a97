package dev.tiletrain.ops.bench;

import dev.tiletrain.ops.gemm.Gemm;
import dev.tiletrain.ops.layers.Convolution;
import dev.tiletrain.ops.layers.Pass;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Collection;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/*
 * The convolution's three products (with their im2col/col2im) on YOLOv2 layer shapes at 416², one image,
 * whole map; prints GFLOP/s.
 * Run from the worktree root (JMH options such as -wi 2 -i 3 -w 1s -r 2s may follow):
 *
 *   mvn -B -q -o -pl ops test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath && OPENBLAS_NUM_THREADS=1 java -cp ops/target/test-classes:ops/target/classes:$(cat ops/target/bench.classpath) dev.tiletrain.ops.bench.ConvolutionBenchmark
 *
 * (org.openjdk.jmh.Main over the same classpath runs it too, without the GFLOP/s summary.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// A fixed, pre-touched heap: otherwise the page faults of a growing heap land in the calls that allocate
// their output (measured: layer 9's forward took 5.2 ms of CPU instead of 2.5 under G1's defaults).
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvolutionBenchmark {
    /** YOLOv2 (yolov2-voc.cfg) layer number → input channels, input side, filters, size (stride 1, same padding). */
    private static final Map<String, int[]> LAYERS = Map.of(
            "0", new int[] {3, 416, 32, 3},
            "2", new int[] {32, 208, 64, 3},
            "9", new int[] {256, 52, 128, 1},
            "12", new int[] {256, 26, 512, 3});

    @Param({"0", "2", "9", "12"})
    public String layer;

    private Convolution conv;
    private Tensor x;
    private Tensor dy;
    private float[] weightGradient;
    private Pass pass;

    @Setup
    public void setUp() {
        int[] l = LAYERS.get(layer);
        Random random = new Random(1);
        conv = new Convolution(new Shape(l[0], l[1], l[1]), l[2], l[3], 1, l[3] / 2, random);
        x = randomTensor(conv.inputShape(), random);
        dy = randomTensor(conv.outputShape(), random);
        weightGradient = new float[conv.params().get(0).size()];
        pass = new WholeMapPass(true, 1);
    }

    private static Tensor randomTensor(Shape s, Random random) {
        Tensor t = Tensor.zeros(1, s);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = random.nextFloat() * 2 - 1;
        }
        return t;
    }

    @Benchmark
    public Tensor forward(CpuTime cpu) {
        cpu.start();
        Tensor y = conv.forward(x, conv.outputShape().full(), pass);
        cpu.stop();
        return y;
    }

    @Benchmark
    public Tensor backwardData(CpuTime cpu) {
        cpu.start();
        Tensor dx = conv.inputGradient(x.rect, dy);
        cpu.stop();
        return dx;
    }

    @Benchmark
    public float[] backwardWeights(CpuTime cpu) {
        cpu.start();
        conv.weightGradient(x, dy, weightGradient);
        cpu.stop();
        return weightGradient;
    }

    /** Multiply-adds of one product: filters × channels·size² × output positions. */
    private static double gflop(String layer) {
        int[] l = LAYERS.get(layer);
        return 2.0 * l[2] * l[0] * l[3] * l[3] * l[1] * l[1] / 1e9;
    }

    /**
     * Runs the benchmarks (only this class's unless the arguments name others) and prints GFLOP/s from the
     * mean wall time and from the mean CPU time of the benchmark thread ({@link CpuTime}).
     */
    public static void main(String[] args) throws Exception {
        CommandLineOptions given = new CommandLineOptions(args);
        OptionsBuilder options = new OptionsBuilder();
        options.parent(given);
        if (given.getIncludes().isEmpty()) {
            options.include(ConvolutionBenchmark.class.getName() + "\\.");
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        System.out.println();
        System.out.println("GEMM backend: " + Gemm.standard().backend()
                + ", OPENBLAS_NUM_THREADS=" + System.getenv("OPENBLAS_NUM_THREADS") + " (CPU time counts this thread only)");
        System.out.printf("%-6s %-16s %9s %9s %12s %12s%n", "layer", "product", "wall ms", "CPU ms", "GFLOP/s wall", "GFLOP/s CPU");
        for (RunResult r : results) {
            String layer = r.getParams().getParam("layer");
            if (layer == null) {
                continue;
            }
            String name = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
            double wall = r.getPrimaryResult().getScore();
            double cpu = r.getSecondaryResults().get("cpuMs").getScore() / r.getSecondaryResults().get("calls").getScore();
            System.out.printf("%-6s %-16s %9.2f %9.2f %12.1f %12.1f%n", layer, name, wall, cpu,
                    gflop(layer) * 1e3 / wall, gflop(layer) * 1e3 / cpu);
        }
    }
}
