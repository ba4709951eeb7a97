package dev.tiletrain.ops.bench;

import dev.tiletrain.ops.layers.Activation;
import dev.tiletrain.ops.layers.Pass;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.parallel.ComputeThreads;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/*
 * Why a pointwise layer gains little from a second compute thread: a leaky forward (the Activation layer, split
 * by ComputeThreads as in a step) over YOLOv2's layer-0 map (32×416², 22 MB a batch-1 tensor), its input either
 * left where setup wrote it or written just before by the same split (each half in the cache of the core that
 * reads it, as when the layer before was split alike); and the allocation of a new output alone. Run from the
 * worktree root (JMH options may follow; -p threads=2 picks a parameter):
 *
 *   mvn -B -q -o -pl ops test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath && OPENBLAS_NUM_THREADS=1 java -cp ops/target/test-classes:ops/target/classes:$(cat ops/target/bench.classpath) org.openjdk.jmh.Main PointwiseSplitBenchmark
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PointwiseSplitBenchmark {
    @Param({"1", "2"})
    public int threads;

    @Param({"1", "4"})
    public int batch;

    /** {@code setup}: the input as setup wrote it; {@code split}: rewritten by the same split before each call. */
    @Param({"setup", "split"})
    public String input;

    private Activation leaky;
    private Tensor x;
    private Pass pass;

    @Setup
    public void setUp() {
        ComputeThreads.set(threads);
        Shape shape = new Shape(32, 416, 416);
        leaky = new Activation(shape, Activation.Kind.LEAKY);
        x = Tensor.zeros(batch, shape);
        fill(0, x.data.length);
        pass = new WholeMapPass(true, 1);
    }

    @Setup(Level.Invocation)
    public void placeInput() {
        if (input.equals("split")) {
            ComputeThreads.split(x.data.length, ComputeThreads.grain(1), this::fill);
        }
    }

    private void fill(int from, int to) {
        for (int i = from; i < to; i++) {
            x.data[i] = (i % 7) - 3;
        }
    }

    @TearDown
    public void oneThreadAgain() {
        ComputeThreads.set(1);
    }

    @Benchmark
    public Tensor leakyForward() {
        return leaky.forward(x, x.rect, pass);
    }

    @Benchmark
    public float[] newOutput() {
        return new float[x.data.length];
    }
}
