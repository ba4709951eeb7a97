package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.parallel.ComputeThreads;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A 3×3, stride-1 convolution by {@link Winograd} gives what im2col and GEMM give: the forward over an output
 * rectangle (a tile's, inside the map or at its border), the input gradient over an input rectangle and the
 * weight gradient from an output rectangle's gradient, within
 * normwise relative {@link #TOLERANCE} (the largest difference against the largest magnitude of the same
 * tensor: F(2×2, 3×3) adds and scales its operands before multiplying, so it rounds differently), on random
 * shapes, paddings, batches and compute threads, odd sizes (blocks cut at the edge) and several bands.
 */
class WinogradTest {
    private static final double TOLERANCE = 1e-5;

    @AfterEach
    void defaults() {
        WinogradUse.set(WinogradUse.jvmDefault());
        ComputeThreads.set(1);
    }

    /** in shape, filters, padding, batch, threads, seed. */
    static Stream<Arguments> layers() {
        Random r = new Random(41);
        Stream<Arguments> random = IntStream.range(0, 24).mapToObj(i -> {
            int padding = r.nextInt(3), least = Math.max(1, 3 - 2 * padding);
            return Arguments.of(new Shape(1 + r.nextInt(40), least + r.nextInt(22), least + r.nextInt(22)),
                    1 + r.nextInt(40), padding, 1 + r.nextInt(3), 1 + r.nextInt(3), (long) i);
        });
        // Several bands per image (in + out = 80 channels, 50 blocks a row: 16 block rows a band), and a
        // 13×13 map of many channels (one band: the threads share its transforms and GEMMs).
        return Stream.concat(random, Stream.of(
                Arguments.of(new Shape(40, 70, 100), 40, 1, 1, 2, 100L),
                Arguments.of(new Shape(40, 70, 100), 40, 1, 2, 3, 101L),
                Arguments.of(new Shape(96, 13, 13), 128, 1, 1, 2, 102L)));
    }

    @ParameterizedTest
    @MethodSource("layers")
    void matchesIm2colOverTilesAndWholeMaps(Shape in, int filters, int padding, int batch, int threads, long seed) {
        ComputeThreads.set(threads);
        Random r = new Random(seed);
        Convolution conv = new Convolution(in, filters, 3, 1, padding, r);
        Shape out = conv.outputShape();
        for (Rect o : new Rect[] {out.full(), tile(out, r)}) {
            Rect xRect = conv.inputRegion(o);
            Tensor x = random(batch, in.c(), xRect, r), dy = random(batch, filters, o, r);
            int weights = conv.params().get(0).size();
            WinogradUse.set(WinogradUse.OFF);
            Tensor y0 = conv.forward(x, o, GradientCheck.training().get());
            Tensor dx0 = conv.inputGradient(xRect, dy);
            float[] dw0 = new float[weights];
            conv.weightGradient(x, dy, dw0);
            WinogradUse.set(WinogradUse.ALL);
            Tensor y1 = conv.forward(x, o, GradientCheck.training().get());
            Tensor dx1 = conv.inputGradient(xRect, dy);
            // Added into what is there, as a pass's accumulator is.
            float[] dw1 = new float[weights];
            Arrays.fill(dw1, 1f);
            conv.weightGradient(x, dy, dw1);
            for (int i = 0; i < weights; i++) {
                dw1[i] -= 1f;
            }
            assertClose("forward over " + o, y0, y1);
            assertClose("input gradient over " + xRect, dx0, dx1);
            assertClose("weight gradient from " + o, dw0, dw1);
        }
    }

    /** A gradient tensor over a rectangle wider than the output reads (a tile's group input): 0 where unread. */
    @Test
    void inputGradientIsZeroWhereTheOutputDoesNotRead() {
        WinogradUse.set(WinogradUse.ALL);
        Random r = new Random(7);
        Convolution conv = new Convolution(new Shape(5, 12, 12), 6, 3, 1, 1, r);
        Rect o = new Rect(4, 4, 6, 7), wide = new Rect(0, 0, 11, 11);
        Tensor dx = conv.inputGradient(wide, random(1, 6, o, r));
        Rect read = conv.inputRegion(o);
        for (int c = 0; c < 5; c++) {
            for (int y = 0; y < 12; y++) {
                for (int x = 0; x < 12; x++) {
                    if (!read.contains(new Rect(x, y, x, y))) {
                        assertEquals(0f, dx.get(0, c, y, x), "(" + c + ", " + y + ", " + x + ")");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("small")
    void gradientIsExact(Shape in, int filters, int padding, int batch, long seed) {
        WinogradUse.set(WinogradUse.ALL);
        Convolution conv = new Convolution(in, filters, 3, 1, padding, new Random(seed));
        GradientCheck check = new GradientCheck(conv, batch, GradientCheck.training(), seed);
        check.randomizeParams();
        check.run();
    }

    static Stream<Arguments> small() {
        return Stream.of(Arguments.of(new Shape(3, 7, 9), 4, 1, 1, 1L), Arguments.of(new Shape(2, 6, 5), 3, 0, 2, 2L),
                Arguments.of(new Shape(4, 5, 5), 2, 2, 1, 3L));
    }

    @Test
    void choosesByGeometryAndChannels() {
        assertTrue(WinogradUse.AUTO.applies(3, 1, 32, 64, 26 * 26));
        assertTrue(!WinogradUse.AUTO.applies(3, 1, 16, 32, 208 * 208), "16 channels");
        assertTrue(WinogradUse.AUTO.applies(3, 1, 512, 1024, 4 * 13 * 13), "four 13×13 images");
        assertTrue(!WinogradUse.AUTO.applies(3, 1, 512, 1024, 13 * 13), "one 13×13 image");
        assertTrue(!WinogradUse.AUTO.applies(3, 1, 3, 32, 416 * 416), "the first layer's 3 channels");
        assertTrue(!WinogradUse.AUTO.applies(3, 2, 64, 64, 416 * 416), "stride 2");
        assertTrue(!WinogradUse.ALL.applies(1, 1, 64, 64, 416 * 416), "1×1");
        assertTrue(WinogradUse.ALL.applies(3, 1, 1, 1, 1));
        assertTrue(!WinogradUse.OFF.applies(3, 1, 64, 64, 416 * 416));
        assertTrue(WinogradUse.AUTO.appliesToWeightGradient(3, 1, 256, 512, 26 * 26));
        assertTrue(!WinogradUse.AUTO.appliesToWeightGradient(3, 1, 32, 64, 208 * 208), "few channels: the transforms cost");
        assertTrue(WinogradUse.ALL.appliesToWeightGradient(3, 1, 1, 1, 1));
        assertEquals(WinogradUse.ALL, WinogradUse.parse(" All"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WinogradUse.parse("fast"));
        assertTrue(e.getMessage().contains("off, auto or all"), e.getMessage());
    }

    /** A random rectangle inside {@code map}'s full rectangle. */
    private static Rect tile(Shape map, Random r) {
        int x1 = r.nextInt(map.w()), y1 = r.nextInt(map.h());
        return new Rect(x1, y1, x1 + r.nextInt(map.w() - x1), y1 + r.nextInt(map.h() - y1));
    }

    private static Tensor random(int n, int c, Rect rect, Random r) {
        Tensor t = Tensor.zeros(n, c, rect);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = r.nextFloat() * 2 - 1;
        }
        return t;
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        assertEquals(expected.rect, actual.rect, what);
        assertClose(what, expected.data, actual.data);
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        double largest = 0, worst = 0;
        for (int i = 0; i < expected.length; i++) {
            largest = Math.max(largest, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= TOLERANCE * largest,
                what + ": largest difference " + worst + " against largest value " + largest);
    }
}
