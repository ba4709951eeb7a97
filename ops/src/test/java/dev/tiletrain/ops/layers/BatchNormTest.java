package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Shape;
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
}
