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
import org.openjdk.jmh.util.Statistics;
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
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
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
    public Tensor forward() {
        return conv.forward(x, conv.outputShape().full(), pass);
    }

    @Benchmark
    public Tensor backwardData() {
        return conv.inputGradient(x.rect, dy);
    }

    @Benchmark
    public float[] backwardWeights() {
        conv.weightGradient(x, dy, weightGradient);
        return weightGradient;
    }

    /** Multiply-adds of one product: filters × channels·size² × output positions. */
    private static double gflop(String layer) {
        int[] l = LAYERS.get(layer);
        return 2.0 * l[2] * l[0] * l[3] * l[3] * l[1] * l[1] / 1e9;
    }

    /**
     * Runs the benchmarks (only this class's unless the arguments name others) and prints GFLOP/s from the
     * mean, the median and the fastest call: on a shared machine the mean carries other jobs' time.
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
                + ", OPENBLAS_NUM_THREADS=" + System.getenv("OPENBLAS_NUM_THREADS"));
        System.out.printf("%-6s %-16s %9s %9s %9s   %s%n", "layer", "product", "mean ms", "median ms", "best ms",
                "GFLOP/s at mean / median / best");
        for (RunResult r : results) {
            String layer = r.getParams().getParam("layer");
            if (layer == null) {
                continue;
            }
            String name = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
            Statistics s = r.getPrimaryResult().getStatistics();
            double mean = s.getMean(), median = s.getPercentile(50), best = s.getMin(), g = gflop(layer) * 1e3;
            System.out.printf("%-6s %-16s %9.2f %9.2f %9.2f   %.1f / %.1f / %.1f%n", layer, name, mean, median, best,
                    g / mean, g / median, g / best);
        }
    }
}
