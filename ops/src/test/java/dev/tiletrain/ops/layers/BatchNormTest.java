package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BatchNormTest {
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(new Shape(3, 5, 7), 1, 1L),
                Arguments.of(new Shape(2, 4, 3), 2, 2L),
                Arguments.of(new Shape(4, 1, 9), 3, 3L),
                Arguments.of(new Shape(1, 6, 6), 2, 4L));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void syncModeIsTheExactGradientOfDarknetsForward(Shape shape, int batch, long seed) {
        BatchNorm bn = new BatchNorm(shape, BatchNorm.Mode.SYNC);
        GradientCheck check = new GradientCheck(bn, batch, GradientCheck.training(), seed);
        check.randomizeParams();
        check.run();
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void frozenModeLearnsScaleAndShiftOnly(Shape shape, int batch, long seed) {
        BatchNorm bn = new BatchNorm(shape, BatchNorm.Mode.FROZEN);
        GradientCheck check = new GradientCheck(bn, batch, GradientCheck.training(), seed);
        check.randomizeParams();
        check.run();
    }

    /**
     * With given (rolling) statistics, forward and backward are Darknet's formula element by element, bit
     * for bit: y = ((x − μ)/(√v + ε))·γ + β and dx = γ/(√v + ε)·dy, also for a tile's rectangles (an output
     * inside a wider input, a gradient over part of it); the parameter gradients are Σdy·x̂ and Σdy.
     */
    @ParameterizedTest
    @MethodSource("shapes")
    void frozenModeIsDarknetsFormulaBitForBit(Shape shape, int batch, long seed) {
        BatchNorm bn = new BatchNorm(shape, BatchNorm.Mode.FROZEN);
        GradientCheck check = new GradientCheck(bn, batch, GradientCheck.training(), seed);
        check.randomizeParams();
        float[] beta = bn.params().get(0).value, gamma = bn.params().get(1).value;
        float[] mean = bn.params().get(2).value, variance = bn.params().get(3).value;
        Tensor x = check.randomInput();
        Random random = new Random(seed);
        Rect all = shape.full();
        Rect inner = new Rect(random.nextInt(shape.w()), random.nextInt(shape.h()), shape.w() - 1, shape.h() - 1);
        for (Rect r : new Rect[] {all, inner}) {
            WholeMapPass pass = new WholeMapPass(true, 1);
            Tensor y = bn.forward(x, r, pass);
            Tensor dy = Tensor.zeros(batch, shape.c(), r);
            for (int i = 0; i < dy.data.length; i++) {
                dy.data[i] = random.nextFloat() * 2 - 1;
            }
            Tensor dx = bn.backward(x, y, dy, pass);
            float[] expectedY = new float[y.data.length], expectedDx = new float[x.data.length];
            double[] sumDy = new double[shape.c()], sumDyXhat = new double[shape.c()];
            for (int b = 0; b < batch; b++) {
                for (int ch = 0; ch < shape.c(); ch++) {
                    float s = (float) Math.sqrt(variance[ch]) + BatchNorm.EPSILON;
                    for (int yy = r.y1(); yy <= r.y2(); yy++) {
                        for (int xx = r.x1(); xx <= r.x2(); xx++) {
                            float xhat = (x.get(b, ch, yy, xx) - mean[ch]) / s;
                            expectedY[y.index(b, ch, yy, xx)] = xhat * gamma[ch] + beta[ch];
                            float g = dy.get(b, ch, yy, xx);
                            expectedDx[x.index(b, ch, yy, xx)] = gamma[ch] / s * g;
                            sumDy[ch] += g;
                            sumDyXhat[ch] += g * (double) xhat;
                        }
                    }
                }
            }
            assertArrayEquals(expectedY, y.data);
            assertArrayEquals(expectedDx, dx.data);
            for (int ch = 0; ch < shape.c(); ch++) {
                assertEquals(sumDyXhat[ch], pass.grad(bn.params().get(1))[ch], 1e-5 * Math.max(1, Math.abs(sumDyXhat[ch])));
                assertEquals(sumDy[ch], pass.grad(bn.params().get(0))[ch], 1e-5 * Math.max(1, Math.abs(sumDy[ch])));
            }
        }
    }
}
