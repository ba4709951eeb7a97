package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SoftmaxTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new Shape(7, 1, 1), 1, 1f, 1, 1L),
                Arguments.of(new Shape(12, 1, 1), 3, 1f, 2, 2L),
                Arguments.of(new Shape(3, 2, 5), 5, 0.5f, 3, 3L),
                Arguments.of(new Shape(20, 1, 1), 2, 2f, 2, 4L));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void backwardIsTheExactJacobian(Shape shape, int groups, float temperature, int batch, long seed) {
        new GradientCheck(new Softmax(shape, groups, temperature), batch, GradientCheck.training(), seed).run();
    }

    /** Darknet's delta t − p is the exact gradient of S = Σ_groups (T·log Σ exp(x/T) − Σ t·x), for any targets. */
    @ParameterizedTest
    @MethodSource("cases")
    void lossGradientIsThatOfTheSurrogate(Shape shape, int groups, float temperature, int batch, long seed) {
        Softmax layer = new Softmax(shape, groups, temperature);
        Random random = new Random(seed);
        Tensor x = randomInput(shape, batch, random);
        float[] t = new float[x.data.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = random.nextFloat() < 0.3f ? random.nextFloat() : 0;
        }
        Truth truth = new Truth(shape.size(), t);
        int n = shape.size() / groups;
        LossCheck.gradient(layer, x, truth, v -> {
            double s = 0;
            for (int start = 0; start < v.data.length; start += n) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = start; i < start + n; i++) {
                    max = Math.max(max, v.data[i] / (double) temperature);
                }
                for (int i = start; i < start + n; i++) {
                    sum += Math.exp(v.data[i] / (double) temperature - max);
                    s -= t[i] * (double) v.data[i];
                }
                s += temperature * (max + Math.log(sum));
            }
            return s;
        }, 1e-2f, 1e-4);
    }

    /** With one-hot targets per group and T = 1 the delta is the exact gradient of Darknet's own cost. */
    @ParameterizedTest
    @MethodSource("cases")
    void lossGradientIsThatOfTheCostForOneHotTargets(Shape shape, int groups, float temperature, int batch, long seed) {
        Softmax layer = new Softmax(shape, groups, 1f);
        Random random = new Random(seed);
        Tensor x = randomInput(shape, batch, random);
        int n = shape.size() / groups;
        float[] t = new float[x.data.length];
        for (int start = 0; start < t.length; start += n) {
            t[start + random.nextInt(n)] = 1;
        }
        Truth truth = new Truth(shape.size(), t);
        LossCheck.gradientOfCost(layer, x, truth);
    }

    @Test
    void handComputedCostAndGradient() {
        Shape shape = new Shape(2, 1, 1);
        Tensor x = new Tensor(1, 2, shape.full(), new float[] {0, (float) Math.log(3)});
        Truth truth = new Truth(2, new float[] {0, 1});
        LossLayer.Loss loss = new Softmax(shape, 1, 1f).loss(x, truth, new WholeMapPass(true, 0));
        assertEquals(-Math.log(0.75), loss.cost(), 1e-6);
        assertArrayEquals(new float[] {0.25f, -0.25f}, loss.inputGradient().data, 1e-6f);

        Tensor hot = new Tensor(1, 2, shape.full(), new float[] {0, (float) (2 * Math.log(3))});
        Tensor p = new Softmax(shape, 1, 2f).forward(hot, shape.full(), new WholeMapPass(false, 0));
        assertArrayEquals(new float[] {0.25f, 0.75f}, p.data, 1e-6f);
    }

    @Test
    void groupsAreConsecutiveBlocksOfTheFlattenedInput() {
        Shape shape = new Shape(2, 1, 2);
        Tensor x = new Tensor(1, 2, shape.full(), new float[] {0, 0, 0, (float) Math.log(3)});
        Tensor p = new Softmax(shape, 2, 1f).forward(x, shape.full(), new WholeMapPass(false, 0));
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.25f, 0.75f}, p.data, 1e-6f);
    }

    @Test
    void rejectsGroupsThatDoNotDivideAndWrongTruth() {
        assertThrows(IllegalArgumentException.class, () -> new Softmax(new Shape(5, 1, 1), 2, 1f));
        Softmax layer = new Softmax(new Shape(4, 1, 1), 1, 1f);
        Tensor x = Tensor.zeros(2, new Shape(4, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> layer.loss(x, new Truth(4, new float[4]), new WholeMapPass(true, 0)));
    }

    private static Tensor randomInput(Shape shape, int batch, Random random) {
        Tensor x = Tensor.zeros(batch, shape);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = random.nextFloat() * 4 - 2;
        }
        return x;
    }
}
