package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AvgPoolTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new Shape(3, 5, 7), 1, 1L),
                Arguments.of(new Shape(2, 4, 3), 2, 2L),
                Arguments.of(new Shape(4, 1, 9), 3, 3L),
                Arguments.of(new Shape(1, 13, 13), 2, 4L));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void gradientIsExact(Shape shape, int batch, long seed) {
        new GradientCheck(new AvgPool(shape), batch, GradientCheck.training(), seed).run();
    }

    @Test
    void averagesEachChannelOfEachImage() {
        AvgPool layer = new AvgPool(new Shape(2, 1, 2));
        assertEquals(new Shape(2, 1, 1), layer.outputShape());
        Tensor x = new Tensor(2, 2, new Shape(2, 1, 2).full(), new float[] {1, 2, 3, 5, -1, -3, 0, 8});
        Tensor y = layer.forward(x, layer.outputShape().full(), new WholeMapPass(true, 0));
        assertArrayEquals(new float[] {1.5f, 4, -2, 4}, y.data);
        Tensor dy = new Tensor(2, 2, layer.outputShape().full(), new float[] {2, 4, 6, -8});
        assertArrayEquals(new float[] {1, 1, 2, 2, 3, 3, -4, -4}, layer.backward(x, y, dy, new WholeMapPass(true, 0)).data);
    }
}
