package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BatchNorm.Backward#DARKNET} against {@link DarknetBatchNorm}, the transcription of Darknet's own code:
 * the same output, input delta and scale and bias updates. Sums run in double here and in float there, so
 * the values agree normwise: max|a − b| ≤ {@link #TOLERANCE} · max|b| per array.
 */
class BatchNormDarknetBackwardTest {
    static final double TOLERANCE = 1e-5;

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(new Shape(3, 5, 7), 1, 1L),
                Arguments.of(new Shape(2, 4, 3), 2, 2L),
                Arguments.of(new Shape(4, 1, 9), 3, 3L),
                Arguments.of(new Shape(5, 13, 13), 2, 4L),
                Arguments.of(new Shape(1, 2, 2), 1, 5L));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void isDarknetsBackwardBatchnormLayer(Shape shape, int batch, long seed) {
        Random random = new Random(seed);
        BatchNorm bn = new BatchNorm(shape, BatchNorm.Mode.SYNC, BatchNorm.Backward.DARKNET, Activation.Kind.LINEAR);
        float[] beta = bn.params().get(0).value, gamma = bn.params().get(1).value;
        for (int c = 0; c < shape.c(); c++) {
            beta[c] = random.nextFloat() - .5f;
            gamma[c] = .5f + random.nextFloat();
        }
        Tensor x = random(Tensor.zeros(batch, shape), random, 3, .7f);
        Tensor dy = random(Tensor.zeros(batch, shape), random, 1, 0);

        WholeMapPass pass = new WholeMapPass(true, 1);
        Tensor y = bn.forward(x, shape.full(), pass);
        Tensor dx = bn.backward(x, y, dy, pass);

        DarknetBatchNorm darknet = new DarknetBatchNorm(batch, shape.c(), shape.h() * shape.w());
        float[] expectedY = darknet.forward(x.data, gamma, beta);
        float[] delta = dy.data.clone();
        darknet.backward(delta, gamma);

        assertClose("output", expectedY, y.data);
        assertClose("input delta", delta, dx.data);
        assertClose("scale updates", darknet.scaleUpdates, pass.grad(bn.params().get(1)));
        assertClose("bias updates", darknet.biasUpdates, pass.grad(bn.params().get(0)));
    }

    /** The two backwards differ by more than rounding, so the test above tells them apart. */
    @ParameterizedTest
    @MethodSource("shapes")
    void differsFromTheExactGradient(Shape shape, int batch, long seed) {
        Random random = new Random(seed);
        Tensor x = random(Tensor.zeros(batch, shape), random, 3, .7f);
        Tensor dy = random(Tensor.zeros(batch, shape), random, 1, 0);
        float[][] dx = new float[2][];
        for (BatchNorm.Backward kind : BatchNorm.Backward.values()) {
            BatchNorm bn = new BatchNorm(shape, BatchNorm.Mode.SYNC, kind, Activation.Kind.LINEAR);
            WholeMapPass pass = new WholeMapPass(true, 1);
            dx[kind.ordinal()] = bn.backward(x, bn.forward(x, shape.full(), pass), dy, pass).data;
        }
        assertTrue(largestDifference(dx[0], dx[1]) > 10 * TOLERANCE * largest(dx[0]));
    }

    private static Tensor random(Tensor t, Random r, float spread, float offset) {
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = (r.nextFloat() * 2 - 1) * spread + offset;
        }
        return t;
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        double limit = TOLERANCE * largest(expected), worst = largestDifference(expected, actual);
        assertTrue(worst <= limit, () -> what + ": max |diff| " + worst + " > " + limit);
    }

    private static double largestDifference(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - (double) b[i]);
            worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
        }
        return worst;
    }

    private static double largest(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
