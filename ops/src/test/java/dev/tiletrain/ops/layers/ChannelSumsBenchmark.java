package dev.tiletrain.ops.layers;

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

/*
 * ChannelSums's two ways side by side: a batch norm's forward sums (Σx, Σx²) and backward sums (Σdz, Σdz·x̂)
 * over every channel of one image of YOLOv2's layer-0 map (32×416², 22 MB), by the scalar loops and by the
 * Vector API. In a JMH fork of its own with the module added (in a fork without it the vector case fails).
 * Run from the worktree root (JMH options may follow, e.g. -p sums=vector):
 *
 *   mvn -B -q -o -pl ops test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath && java -cp ops/target/test-classes:ops/target/classes:$(cat ops/target/bench.classpath) org.openjdk.jmh.Main ChannelSumsBenchmark
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChannelSumsBenchmark {
    private static final int CHANNELS = 32, AREA = 416 * 416;

    @Param({"scalar", "vector"})
    public String sums;

    private float[] x;
    private float[] dz;
    private final double[] acc = new double[2];

    @Setup
    public void setUp() {
        Random random = new Random(1);
        x = new float[CHANNELS * AREA];
        dz = new float[CHANNELS * AREA];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
            dz[i] = (float) random.nextGaussian();
        }
    }

    @Benchmark
    public double forwardSums() {
        double total = 0;
        for (int ch = 0; ch < CHANNELS; ch++) {
            acc[0] = 0;
            acc[1] = 0;
            if (sums.equals("vector")) {
                VectorChannelSums.sumAndSquares(x, ch * AREA, (ch + 1) * AREA, acc);
            } else {
                ChannelSums.scalarSumAndSquares(x, ch * AREA, (ch + 1) * AREA, acc);
            }
            total += acc[0] + acc[1];
        }
        return total;
    }

    @Benchmark
    public double backwardSums() {
        double total = 0;
        for (int ch = 0; ch < CHANNELS; ch++) {
            if (sums.equals("vector")) {
                VectorChannelSums.sumAndProducts(dz, x, ch * AREA, (ch + 1) * AREA, 0.1f, 1.3f, acc);
            } else {
                ChannelSums.scalarSumAndProducts(dz, x, ch * AREA, (ch + 1) * AREA, 0.1f, 1.3f, acc);
            }
            total += acc[0] + acc[1];
        }
        return total;
    }
}
