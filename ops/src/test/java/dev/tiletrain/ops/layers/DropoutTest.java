package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DropoutTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new Shape(3, 5, 7), 0.5f, 1, 1L),
                Arguments.of(new Shape(2, 4, 3), 0.1f, 2, 2L),
                Arguments.of(new Shape(4, 1, 9), 0.8f, 3, 3L),
                Arguments.of(new Shape(1, 9, 9), 0.3f, 2, 4L));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void gradientIsExactInTraining(Shape shape, float p, int batch, long seed) {
        new GradientCheck(new Dropout(shape, p), batch, GradientCheck.training(), seed).run();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void rectanglesAgreeWithTheWholeMap(Shape shape, float p, int batch, long seed) {
        Dropout layer = new Dropout(shape, p);
        Random random = new Random(seed);
        Tensor x = new GradientCheck(layer, batch, GradientCheck.training(), seed).randomInput();
        for (Rect r : InputRegionConsistency.rectangles(shape, random, 6)) {
            InputRegionConsistency.check(layer, x, r, new WholeMapPass(true, seed), random);
        }
    }

    @Test
    void dropsTheRequestedShareAndScalesTheRest() {
        Shape shape = new Shape(8, 40, 40);
        Tensor x = Tensor.zeros(2, shape);
        Arrays.fill(x.data, 1f);
        for (float p : new float[] {0.1f, 0.5f, 0.9f}) {
            Tensor y = new Dropout(shape, p).forward(x, shape.full(), new WholeMapPass(true, 42));
            float scale = (float) (1.0 / (1.0 - p));
            int dropped = 0;
            for (float v : y.data) {
                if (v == 0) {
                    dropped++;
                } else {
                    assertEquals(scale, v);
                }
            }
            assertEquals(p, dropped / (double) y.data.length, 0.01, "share dropped at p = " + p);
        }
    }

    @Test
    void maskDependsOnSeedImageChannelAndPosition() {
        Shape shape = new Shape(2, 6, 6);
        Dropout layer = new Dropout(shape, 0.5f);
        Tensor x = Tensor.zeros(2, shape);
        Arrays.fill(x.data, 1f);
        Tensor a = layer.forward(x, shape.full(), new WholeMapPass(true, 1));
        assertEquals(a, layer.forward(x, shape.full(), new WholeMapPass(true, 1)));
        assertNotEquals(a, layer.forward(x, shape.full(), new WholeMapPass(true, 2)));
        int half = shape.size();
        assertNotEquals(Arrays.toString(Arrays.copyOf(a.data, half)),
                Arrays.toString(Arrays.copyOfRange(a.data, half, 2 * half)), "images share a mask");
        int plane = shape.h() * shape.w();
        assertNotEquals(Arrays.toString(Arrays.copyOf(a.data, plane)),
                Arrays.toString(Arrays.copyOfRange(a.data, plane, 2 * plane)), "channels share a mask");
    }

    @Test
    void identityOutsideTraining() {
        Shape shape = new Shape(2, 3, 5);
        Dropout layer = new Dropout(shape, 0.5f);
        Tensor x = new GradientCheck(layer, 2, GradientCheck.training(), 5).randomInput();
        Rect r = new Rect(1, 0, 3, 2);
        Pass inference = new WholeMapPass(false, 5);
        assertEquals(x.crop(r), layer.forward(x, r, inference));
        Tensor dy = x.crop(r);
        Tensor expected = Tensor.zeros(2, shape);
        expected.copyOverlap(dy);
        assertEquals(expected, layer.backward(x, null, dy, inference));
    }

    @Test
    void rejectsProbabilityOutsideZeroToOne() {
        assertThrows(IllegalArgumentException.class, () -> new Dropout(new Shape(1, 1, 1), 1f));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(new Shape(1, 1, 1), -0.1f));
    }
}
