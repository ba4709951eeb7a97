package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.parallel.ComputeThreads;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConvolutionTest {
    /** in, filters, size, stride, padding, batch, seed. */
    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of(new Shape(3, 7, 9), 4, 3, 1, 1, 1, 1L),
                Arguments.of(new Shape(2, 9, 7), 3, 3, 2, 1, 2, 2L),
                Arguments.of(new Shape(3, 8, 5), 2, 3, 2, 0, 3, 3L),
                Arguments.of(new Shape(4, 5, 6), 5, 1, 1, 0, 2, 4L),
                Arguments.of(new Shape(3, 7, 7), 2, 1, 2, 0, 1, 5L),
                Arguments.of(new Shape(2, 6, 11), 3, 3, 1, 0, 3, 6L),
                Arguments.of(new Shape(1, 11, 5), 2, 5, 1, 2, 2, 7L),
                Arguments.of(new Shape(2, 10, 10), 3, 2, 2, 0, 1, 8L),
                Arguments.of(new Shape(5, 3, 3), 1, 3, 1, 1, 2, 9L));
    }

    /** A layer whose im2col needs several bands of rows, so that the band seams are tested too. */
    static Stream<Arguments> banded() {
        int channels = 64, width = 50;
        int rowsPerBand = Im2col.bandRows(channels * 9, width, Integer.MAX_VALUE);
        return Stream.of(Arguments.of(new Shape(channels, 2 * rowsPerBand + 5, width), 3, 3, 1, 1, 1, 10L));
    }

    static Stream<Arguments> allLayers() {
        return Stream.concat(layers(), banded());
    }

    private static Convolution layer(Shape in, int filters, int size, int stride, int padding, long seed) {
        return new Convolution(in, filters, size, stride, padding, new Random(seed));
    }

    @ParameterizedTest
    @MethodSource("layers")
    void gradientIsExact(Shape in, int filters, int size, int stride, int padding, int batch, long seed) {
        Convolution conv = layer(in, filters, size, stride, padding, seed);
        GradientCheck check = new GradientCheck(conv, batch, GradientCheck.training(), seed);
        check.randomizeParams();
        check.run();
    }

    @ParameterizedTest
    @MethodSource("allLayers")
    void forwardIsDarknetsConvolution(Shape in, int filters, int size, int stride, int padding, int batch, long seed) {
        Convolution conv = layer(in, filters, size, stride, padding, seed);
        Random r = new Random(seed);
        Tensor x = Tensor.zeros(batch, in);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = r.nextFloat() * 2 - 1;
        }
        Shape out = conv.outputShape();
        assertEquals(new Shape(filters, (in.h() + 2 * padding - size) / stride + 1, (in.w() + 2 * padding - size) / stride + 1), out);
        Tensor y = conv.forward(x, out.full(), GradientCheck.training().get());
        float[] w = conv.params().get(0).value;
        for (int b = 0; b < batch; b++) {
            for (int f = 0; f < filters; f++) {
                for (int oy = 0; oy < out.h(); oy++) {
                    for (int ox = 0; ox < out.w(); ox++) {
                        double sum = 0, magnitude = 0;
                        for (int c = 0; c < in.c(); c++) {
                            for (int ky = 0; ky < size; ky++) {
                                for (int kx = 0; kx < size; kx++) {
                                    int iy = oy * stride - padding + ky, ix = ox * stride - padding + kx;
                                    if (iy >= 0 && iy < in.h() && ix >= 0 && ix < in.w()) {
                                        double t = (double) w[((f * in.c() + c) * size + ky) * size + kx] * x.get(b, c, iy, ix);
                                        sum += t;
                                        magnitude += Math.abs(t);
                                    }
                                }
                            }
                        }
                        float got = y.get(b, f, oy, ox);
                        assertTrue(Math.abs(got - sum) <= 1e-5 * magnitude + 1e-7,
                                "y[" + b + "," + f + "," + oy + "," + ox + "] = " + got + ", expected " + sum);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("allLayers")
    void anOutputRectangleNeedsOnlyItsInputRegion(Shape in, int filters, int size, int stride, int padding, int batch, long seed) {
        Convolution conv = layer(in, filters, size, stride, padding, seed);
        InputRegionCheck check = new InputRegionCheck(conv, batch, seed);
        for (Rect r : check.randomRects(6)) {
            check.run(r);
        }
    }

    /**
     * On several compute threads the (image, band) pairs of a call are cut among the threads, col2im in two
     * rounds: rectangles still need only their input region. Batch 4, so that even one band per image
     * gives every thread two pairs; with the whole map on one thread, {@code ComputeThreadsTest}.
     */
    @ParameterizedTest
    @MethodSource("allLayers")
    void rectanglesOnSeveralThreadsNeedOnlyTheirInputRegion(Shape in, int filters, int size, int stride, int padding, int batch,
                                                           long seed) {
        Convolution conv = layer(in, filters, size, stride, padding, seed);
        InputRegionCheck check = new InputRegionCheck(conv, 4, seed);
        try {
            for (int threads = 2; threads <= 3; threads++) {
                ComputeThreads.set(threads);
                for (Rect r : check.randomRects(3)) {
                    check.run(r);
                }
            }
        } finally {
            ComputeThreads.set(1);
        }
    }

    @Test
    void inputRegionIsTheBackTraceRule() {
        Convolution conv = layer(new Shape(2, 10, 12), 3, 3, 2, 1, 1);
        assertEquals(new Shape(3, 5, 6), conv.outputShape());
        assertEquals(new Rect(0, 0, 5, 3), conv.inputRegion(new Rect(0, 0, 2, 1)));
        assertEquals(new Rect(3, 5, 11, 9), conv.inputRegion(new Rect(2, 3, 5, 4)));
        assertEquals(new Rect(0, 0, 11, 9), conv.inputRegion(conv.outputShape().full()));
    }

    @Test
    void anInputMissingPartOfTheRegionIsRejected() {
        Convolution conv = layer(new Shape(2, 8, 8), 3, 3, 1, 1, 1);
        Tensor x = Tensor.zeros(1, 2, new Rect(1, 0, 7, 7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conv.forward(x, new Rect(0, 0, 7, 7), GradientCheck.training().get()));
        assertTrue(e.getMessage().contains("[0,0..7,7]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> conv.forward(x, new Rect(2, 0, 8, 7), GradientCheck.training().get()));
    }

    @Test
    void initializationIsDarknetsUniformAndReproducible() {
        Shape in = new Shape(16, 5, 5);
        float[] a = layer(in, 32, 3, 1, 1, 42).params().get(0).value;
        float[] b = layer(in, 32, 3, 1, 1, 42).params().get(0).value;
        assertArrayEquals(a, b);
        float scale = (float) Math.sqrt(2.0 / (3 * 3 * 16));
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : a) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(min >= -scale && max < scale, "weights in [" + min + ", " + max + "], scale " + scale);
        assertTrue(min < -0.95 * scale && max > 0.95 * scale, "weights do not span [-scale, scale): " + min + ", " + max);
        assertEquals(32 * 16 * 9, a.length);
    }
}
