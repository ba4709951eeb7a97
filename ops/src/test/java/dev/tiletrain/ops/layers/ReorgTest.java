package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReorgTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new Shape(4, 2, 2), 2, 1, 1L),
                Arguments.of(new Shape(8, 4, 6), 2, 2, 2L),
                Arguments.of(new Shape(12, 6, 2), 2, 3, 3L),
                Arguments.of(new Shape(18, 6, 3), 3, 2, 4L),
                Arguments.of(new Shape(5, 3, 7), 1, 1, 5L));
    }

    /** pjreddie's reorg_cpu from src/blas.c, transcribed loop for loop. */
    private static void darknetReorgCpu(float[] x, int w, int h, int c, int batch, int stride, boolean forward, float[] out) {
        int outC = c / (stride * stride);
        for (int b = 0; b < batch; ++b) {
            for (int k = 0; k < c; ++k) {
                for (int j = 0; j < h; ++j) {
                    for (int i = 0; i < w; ++i) {
                        int inIndex = i + w * (j + h * (k + c * b));
                        int c2 = k % outC;
                        int offset = k / outC;
                        int w2 = i * stride + offset % stride;
                        int h2 = j * stride + offset / stride;
                        int outIndex = w2 + w * stride * (h2 + h * stride * (c2 + outC * b));
                        if (forward) {
                            out[outIndex] = x[inIndex];
                        } else {
                            out[inIndex] = x[outIndex];
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void gradientIsExact(Shape shape, int stride, int batch, long seed) {
        new GradientCheck(new Reorg(shape, stride), batch, GradientCheck.training(), seed).run();
    }

    /** Forward is Darknet's forward_reorg_layer (reverse=0: input dimensions, forward=0), backward its backward (forward=1). */
    @ParameterizedTest
    @MethodSource("cases")
    void indexOrderIsDarknets(Shape shape, int stride, int batch, long seed) {
        Reorg layer = new Reorg(shape, stride);
        GradientCheck random = new GradientCheck(layer, batch, GradientCheck.training(), seed);
        Tensor x = random.randomInput();
        Tensor y = layer.forward(x, layer.outputShape().full(), new WholeMapPass(true, 0));
        float[] expected = new float[x.data.length];
        darknetReorgCpu(x.data, shape.w(), shape.h(), shape.c(), batch, stride, false, expected);
        assertArrayEquals(expected, y.data);

        Tensor dy = Tensor.zeros(batch, layer.outputShape());
        for (int i = 0; i < dy.data.length; i++) {
            dy.data[i] = i + 1;
        }
        float[] expectedDx = new float[x.data.length];
        darknetReorgCpu(dy.data, shape.w(), shape.h(), shape.c(), batch, stride, true, expectedDx);
        assertArrayEquals(expectedDx, layer.backward(x, y, dy, new WholeMapPass(true, 0)).data);
    }

    @Test
    void handComputedOrderOnATinyTensor() {
        // c=4, h=w=2, stride 2: Darknet reads the 16 values as one 4x4 plane and writes channel k = offset.
        Reorg layer = new Reorg(new Shape(4, 2, 2), 2);
        assertEquals(new Shape(16, 1, 1), layer.outputShape());
        float[] values = new float[16];
        for (int i = 0; i < 16; i++) {
            values[i] = i;
        }
        Tensor x = new Tensor(1, 4, new Shape(4, 2, 2).full(), values);
        assertArrayEquals(new float[] {0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15},
                layer.forward(x, layer.outputShape().full(), new WholeMapPass(false, 0)).data);
    }

    @Test
    void yolov2VocShapeAndBadInputs() {
        assertEquals(new Shape(256, 13, 13), new Reorg(new Shape(64, 26, 26), 2).outputShape());
        assertThrows(IllegalArgumentException.class, () -> new Reorg(new Shape(64, 13, 13), 2));
        assertThrows(IllegalArgumentException.class, () -> new Reorg(new Shape(6, 26, 26), 2));
    }
}
