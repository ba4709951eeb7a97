package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MaxPoolTest {
    record Case(Shape shape, int size, int stride, int padding, int batch, long seed) {
        MaxPool layer() {
            return new MaxPool(shape, size, stride, padding);
        }
    }

    /** Random odd and even maps under every size 2/3 × stride 1/2, Darknet's default and other paddings, tiny-YOLO's 13 → 13. */
    static Stream<Case> cases() {
        Random random = new Random(11);
        Stream.Builder<Case> cases = Stream.builder();
        long seed = 100;
        for (int size = 2; size <= 3; size++) {
            for (int stride = 1; stride <= 2; stride++) {
                for (int padding = 0; padding <= size - 1; padding++) {
                    Shape s = new Shape(1 + random.nextInt(3), 3 + random.nextInt(7), 3 + random.nextInt(7));
                    cases.add(new Case(s, size, stride, padding, 1 + random.nextInt(3), seed++));
                }
            }
        }
        cases.add(new Case(new Shape(2, 13, 13), 2, 1, 1, 2, seed));
        return cases.build();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void gradientIsExactAwayFromTies(Case c) {
        new GradientCheck(c.layer(), c.batch(), GradientCheck.training(), c.seed()).run();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void rectanglesAgreeWithTheWholeMap(Case c) {
        MaxPool layer = c.layer();
        Random random = new Random(c.seed());
        Tensor x = new GradientCheck(layer, c.batch(), GradientCheck.training(), c.seed()).randomInput();
        for (Rect r : InputRegionConsistency.rectangles(layer.outputShape(), random, 6)) {
            InputRegionConsistency.check(layer, x, r, new WholeMapPass(true, 3), random);
        }
    }

    @Test
    void tinyYoloMapSizes() {
        Shape s = new Shape(16, 416, 416);
        int[] expected = {208, 104, 52, 26, 13};
        for (int e : expected) {
            s = new MaxPool(s, 2, 2, 1).outputShape();
            assertEquals(new Shape(16, e, e), s);
        }
        MaxPool last = new MaxPool(new Shape(512, 13, 13), 2, 1, 1);
        assertEquals(new Shape(512, 13, 13), last.outputShape());
        // Offset −1/2 = 0: output (12, 12) reads (12..13, 12..13), of which only (12, 12) is in the map.
        assertEquals(new Rect(12, 12, 12, 12), last.inputRegion(new Rect(12, 12, 12, 12)));
        assertEquals(new Rect(0, 0, 5, 1), last.inputRegion(new Rect(0, 0, 4, 0)));
    }

    @Test
    void sizeTwoStrideOneIgnoresPositionsOutsideTheMap() {
        MaxPool layer = new MaxPool(new Shape(1, 2, 3), 2, 1, 1);
        Tensor x = new Tensor(1, 1, new Shape(1, 2, 3).full(), new float[] {
            -5, -7, -9,
            -6, -8, -1});
        Tensor y = layer.forward(x, layer.outputShape().full(), new WholeMapPass(true, 0));
        assertArrayEquals(new float[] {
            -5, -1, -1,
            -6, -1, -1}, y.data);
    }

    @Test
    void defaultPaddingOddSizeCentresTheWindow() {
        // size 3 stride 1 padding 2: offset −1, output = input size, window centred.
        MaxPool layer = new MaxPool(new Shape(1, 1, 4), 3, 1, 2);
        assertEquals(new Shape(1, 1, 4), layer.outputShape());
        Tensor x = new Tensor(1, 1, new Shape(1, 1, 4).full(), new float[] {4, 1, 2, 3});
        assertArrayEquals(new float[] {4, 4, 3, 3}, layer.forward(x, layer.outputShape().full(), new WholeMapPass(false, 0)).data);
        assertEquals(new Rect(0, 0, 3, 0), layer.inputRegion(new Rect(1, 0, 2, 0)));
    }

    @Test
    void tiesGoToTheFirstMaximumInDarknetsScanOrder() {
        MaxPool layer = new MaxPool(new Shape(1, 2, 2), 2, 2, 1);
        Tensor x = new Tensor(1, 1, new Shape(1, 2, 2).full(), new float[] {0, 1, 1, 1});
        Tensor y = layer.forward(x, layer.outputShape().full(), new WholeMapPass(true, 0));
        Tensor dy = new Tensor(1, 1, layer.outputShape().full(), new float[] {5});
        assertArrayEquals(new float[] {0, 5, 0, 0}, layer.backward(x, y, dy, new WholeMapPass(true, 0)).data);
    }

    /** Every size, stride and padding on maps full of ties, with NaN, ±0, ±∞ and −FLT_MAX among the values. */
    static Stream<Case> tiedCases() {
        Stream.Builder<Case> cases = Stream.builder();
        long seed = 300;
        for (int size = 2; size <= 3; size++) {
            for (int stride = 1; stride <= 2; stride++) {
                for (int padding = 0; padding <= size - 1; padding++) {
                    cases.add(new Case(new Shape(3, 9, 12), size, stride, padding, 2, seed++));
                    cases.add(new Case(new Shape(2, 8, 7), size, stride, padding, 1, seed++));
                }
            }
        }
        return cases.build();
    }

    /**
     * Outputs and input gradients equal, bit for bit, a transcription of Darknet's forward_maxpool_layer and
     * backward_maxpool_layer (where a window without argmax sends no gradient): ties (±0 included), NaN,
     * infinities and −FLT_MAX decide the maximum and argmax as Darknet's scan does, inside the map and at its
     * border.
     */
    @ParameterizedTest
    @MethodSource("tiedCases")
    void equalsDarknetOnTiesAndSpecialValues(Case c) {
        MaxPool layer = c.layer();
        Random random = new Random(c.seed());
        Tensor x = Tensor.zeros(c.batch(), c.shape());
        float[] values = {-1, 0, 1, 2, Float.NaN, -Float.MAX_VALUE, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = random.nextInt(8) == 0 ? values[4 + random.nextInt(5)] : values[random.nextInt(4)];
        }
        Tensor dy = Tensor.zeros(c.batch(), layer.outputShape());
        for (int i = 0; i < dy.data.length; i++) {
            dy.data[i] = random.nextInt(5) + 1;
        }
        Shape in = c.shape(), out = layer.outputShape();
        float[] expectedY = new float[dy.data.length], expectedDx = new float[x.data.length];
        int offset = -c.padding() / 2, o = 0;
        for (int b = 0; b < c.batch(); b++) {
            for (int k = 0; k < in.c(); k++) {
                for (int i = 0; i < out.h(); i++) {
                    for (int j = 0; j < out.w(); j++, o++) {
                        float max = -Float.MAX_VALUE;
                        int maxI = -1;
                        for (int n = 0; n < c.size(); n++) {
                            for (int m = 0; m < c.size(); m++) {
                                int h = offset + i * c.stride() + n, w = offset + j * c.stride() + m;
                                int index = w + in.w() * (h + in.h() * (k + b * in.c()));
                                boolean valid = h >= 0 && h < in.h() && w >= 0 && w < in.w();
                                float val = valid ? x.data[index] : -Float.MAX_VALUE;
                                maxI = val > max ? index : maxI;
                                max = val > max ? val : max;
                            }
                        }
                        expectedY[o] = max;
                        if (maxI >= 0) {
                            expectedDx[maxI] += dy.data[o];
                        }
                    }
                }
            }
        }
        WholeMapPass pass = new WholeMapPass(true, 0);
        Tensor y = layer.forward(x, out.full(), pass);
        assertArrayEquals(expectedY, y.data);
        assertArrayEquals(expectedDx, layer.backward(x, y, dy, pass).data);
    }

    @Test
    void overlappingWindowsAddTheirGradients() {
        MaxPool layer = new MaxPool(new Shape(1, 1, 3), 2, 1, 1);
        Tensor x = new Tensor(1, 1, new Shape(1, 1, 3).full(), new float[] {0, 9, 0});
        Tensor dy = new Tensor(1, 1, layer.outputShape().full(), new float[] {2, 3, 4});
        WholeMapPass pass = new WholeMapPass(true, 0);
        Tensor y = layer.forward(x, layer.outputShape().full(), pass);
        assertArrayEquals(new float[] {0, 5, 4}, layer.backward(x, y, dy, pass).data);
    }

    @Test
    void rejectsWindowsOutsideTheMapAndTooSmallInputs() {
        assertThrows(IllegalArgumentException.class, () -> new MaxPool(new Shape(1, 5, 5), 2, 2, 4));
        MaxPool layer = new MaxPool(new Shape(1, 6, 6), 3, 2, 2);
        Tensor x = Tensor.zeros(1, 1, new Rect(2, 2, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> layer.forward(x, new Rect(1, 1, 2, 2), new WholeMapPass(true, 0)));
    }
}
