package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BiasTest {
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(new Shape(3, 5, 7), 1, 1L),
                Arguments.of(new Shape(2, 4, 3), 3, 2L),
                Arguments.of(new Shape(5, 1, 9), 2, 3L));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void gradientIsExact(Shape shape, int batch, long seed) {
        Bias bias = new Bias(shape);
        GradientCheck check = new GradientCheck(bias, batch, GradientCheck.training(), seed);
        check.randomizeParams();
        check.run();
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void anOutputRectangleNeedsOnlyItsInputRegion(Shape shape, int batch, long seed) {
        Bias bias = new Bias(shape);
        new GradientCheck(bias, batch, GradientCheck.training(), seed).randomizeParams();
        InputRegionCheck check = new InputRegionCheck(bias, batch, seed);
        for (Rect r : check.randomRects(5)) {
            check.run(r);
        }
    }

    @Test
    void addsTheChannelsBias() {
        Bias bias = new Bias(new Shape(2, 1, 2));
        bias.params().get(0).value[1] = 0.5f;
        Tensor x = new Tensor(1, 2, new Rect(0, 0, 1, 0), new float[] {1, 2, 3, 4});
        assertEquals(new Tensor(1, 2, x.rect, new float[] {1, 2, 3.5f, 4.5f}),
                bias.forward(x, x.rect, GradientCheck.training().get()));
    }
}
