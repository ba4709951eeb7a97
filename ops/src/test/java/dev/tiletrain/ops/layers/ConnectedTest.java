package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConnectedTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new Shape(3, 1, 1), 5, 1, 1L),
                Arguments.of(new Shape(2, 3, 5), 7, 2, 2L),
                Arguments.of(new Shape(5, 3, 3), 1, 3, 3L),
                Arguments.of(new Shape(1, 7, 1), 4, 2, 4L));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void gradientIsExact(Shape shape, int outputs, int batch, long seed) {
        Connected layer = new Connected(shape, outputs);
        GradientCheck check = new GradientCheck(layer, batch, GradientCheck.training(), seed);
        check.randomizeParams();
        check.run();
    }

    @Test
    void weightsAreOutputsByInputsRowMajor() {
        Connected layer = new Connected(new Shape(3, 1, 1), 2);
        float[] w = layer.params().get(0).value;
        System.arraycopy(new float[] {1, 2, 3, -1, 0, 4}, 0, w, 0, 6);
        Tensor x = new Tensor(2, 3, new Shape(3, 1, 1).full(), new float[] {1, 1, 1, 2, 0, -1});
        Tensor y = layer.forward(x, layer.outputShape().full(), new WholeMapPass(true, 0));
        assertArrayEquals(new float[] {6, 3, -1, -6}, y.data);
        Tensor dy = new Tensor(2, 2, layer.outputShape().full(), new float[] {1, 0, 0, 2});
        WholeMapPass pass = new WholeMapPass(true, 0);
        assertArrayEquals(new float[] {1, 2, 3, -2, 0, 8}, layer.backward(x, y, dy, pass).data);
        assertArrayEquals(new float[] {1, 1, 1, 4, 0, -2}, pass.grad(layer.params().get(0)));
    }

    @Test
    void darknetInitializationIsUniformWithinSqrtTwoOverInputs() {
        Connected layer = new Connected(new Shape(8, 5, 5), 100);
        layer.initialize(new Random(9));
        float[] w = layer.params().get(0).value;
        float bound = (float) Math.sqrt(2.0 / 200);
        double sum = 0;
        int nearBound = 0;
        for (float v : w) {
            assertTrue(Math.abs(v) <= bound, v + " outside ±" + bound);
            sum += v;
            nearBound += Math.abs(v) > 0.9f * bound ? 1 : 0;
        }
        assertEquals(0, sum / w.length, 0.01 * bound, "mean of a uniform on ±bound");
        assertEquals(0.1, nearBound / (double) w.length, 0.02, "share of a uniform on ±bound beyond 0.9·bound");
    }
}
