package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CostTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new Shape(7, 1, 1), 1f, 1, 1L),
                Arguments.of(new Shape(3, 3, 5), 0.5f, 2, 2L),
                Arguments.of(new Shape(1, 1, 9), 4f, 3, 3L));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void backwardOfTheIdentityForwardIsExact(Shape shape, float scale, int batch, long seed) {
        new GradientCheck(new Cost(shape, scale), batch, GradientCheck.training(), seed).run();
    }

    /** The gradient, Darknet's delta negated, is exactly that of scale·½·Σ(x − t)². */
    @ParameterizedTest
    @MethodSource("cases")
    void lossGradientIsThatOfTheScaledHalfSquaredError(Shape shape, float scale, int batch, long seed) {
        Cost layer = new Cost(shape, scale);
        Tensor x = uniform(batch, shape, new Random(seed));
        float[] t = uniform(batch, shape, new Random(~seed)).data;
        LossCheck.gradient(layer, x, new Truth(shape.size(), t), v -> {
            double s = 0;
            for (int i = 0; i < t.length; i++) {
                double d = v.data[i] - (double) t[i];
                s += d * d;
            }
            return scale * 0.5 * s;
        }, 1e-2f, 1e-5);
    }

    /** With scale 2 Darknet's gradient is also that of its printed cost Σ(t − x)². */
    @Test
    void scaleTwoIsTheGradientOfThePrintedCost() {
        Shape shape = new Shape(5, 1, 3);
        Tensor x = uniform(2, shape, new Random(8));
        LossCheck.gradientOfCost(new Cost(shape, 2f), x, new Truth(shape.size(), uniform(2, shape, new Random(9)).data));
    }

    @Test
    void handComputedCostAndGradient() {
        Shape shape = new Shape(2, 1, 1);
        Tensor x = new Tensor(1, 2, shape.full(), new float[] {1, 2});
        LossLayer.Loss loss = new Cost(shape, 2f).loss(x, new Truth(2, new float[] {0.5f, 3}), new WholeMapPass(true, 0));
        assertEquals(1.25f, loss.cost());
        assertArrayEquals(new float[] {1, -2}, loss.inputGradient().data);
        assertEquals(x, new Cost(shape, 2f).forward(x, shape.full(), new WholeMapPass(true, 0)));
    }

    private static Tensor uniform(int batch, Shape shape, Random random) {
        Tensor t = Tensor.zeros(batch, shape);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = random.nextFloat() * 2 - 1;
        }
        return t;
    }
}
