package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.layers.Activation.Kind;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ActivationTest {
    static Stream<Arguments> kindsAndShapes() {
        Shape[] shapes = {new Shape(3, 5, 7), new Shape(2, 4, 3), new Shape(1, 6, 1)};
        return Arrays.stream(Kind.values()).map(k ->
                Arguments.of(k, shapes[k.ordinal() % shapes.length], 1 + k.ordinal() % 3, 100L + k.ordinal()));
    }

    /** The true derivative wherever the input is off a kink; Darknet's formulas are written on the output. */
    @ParameterizedTest
    @MethodSource("kindsAndShapes")
    void gradientIsExact(Kind kind, Shape shape, int batch, long seed) {
        GradientCheck check = new GradientCheck(new Activation(shape, kind), batch, GradientCheck.training(), seed);
        check.run();
    }

    @ParameterizedTest
    @MethodSource("kindsAndShapes")
    void anOutputRectangleNeedsOnlyItsInputRegion(Kind kind, Shape shape, int batch, long seed) {
        InputRegionCheck check = new InputRegionCheck(new Activation(shape, kind), batch, seed);
        for (Rect r : check.randomRects(4)) {
            check.run(r);
        }
    }

    /** Outside [-1, 1), where the gradient check's inputs do not reach. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void gradientOnTheOutputIsTheDerivativeForLargeInputs(Kind kind) {
        for (float x : new float[] {-6.5f, -3f, -1.5f, 1.5f, 3f, 6.5f}) {
            double numeric = (kind.activate(x + 1e-2f) - kind.activate(x - 1e-2f)) / 2e-2;
            float analytic = kind.gradient(kind.activate(x));
            assertTrue(Math.abs(analytic - numeric) < 2e-3 * Math.max(1, Math.abs(numeric)),
                    kind.cfgName + " at " + x + ": " + analytic + " vs " + numeric);
        }
    }

    @Test
    void valuesAreDarknets() {
        assertEquals(-0.2f, Kind.LEAKY.activate(-2f));
        assertEquals(3f, Kind.LEAKY.activate(3f));
        assertEquals(0.1f, Kind.LEAKY.gradient(-0.2f));
        assertEquals(0f, Kind.RELU.activate(-1f));
        assertEquals(0.5f, Kind.LOGISTIC.activate(0f));
        assertEquals(0.25f, Kind.LOGISTIC.gradient(0.5f));
        assertEquals(-1.5f, Kind.LINEAR.activate(-1.5f));
        assertEquals(1.1f, Kind.RAMP.gradient(2f));
        assertEquals(0.5f, Kind.PLSE.activate(0f));
    }

    /** The branch-free gradients of leaky and relu at the edges of the float range. */
    @Test
    void stepGradientsHoldForEveryFloat() {
        for (float y : new float[] {Float.MIN_VALUE, 1e-30f, 1f, Float.MAX_VALUE, Float.POSITIVE_INFINITY}) {
            assertEquals(1f, Kind.LEAKY.gradient(y), "leaky at " + y);
            assertEquals(1f, Kind.RELU.gradient(y), "relu at " + y);
        }
        for (float y : new float[] {0f, -0f, -Float.MIN_VALUE, -1f, -Float.MAX_VALUE, Float.NEGATIVE_INFINITY}) {
            assertEquals(.1f, Kind.LEAKY.gradient(y), "leaky at " + y);
            assertEquals(0f, Kind.RELU.gradient(y), "relu at " + y);
        }
    }

    /** Leaky's vectorizable 0.1f·x is within one ulp of Darknet's float(.1·x). */
    @Test
    void leakyIsDarknetsToOneUlp() {
        Random r = new Random(5);
        for (int i = 0; i < 100_000; i++) {
            float x = -Float.intBitsToFloat(r.nextInt(0x7f000000));
            float darknet = (float) (.1 * x);
            assertTrue(Math.abs(Kind.LEAKY.activate(x) - darknet) <= Math.ulp(darknet), x + ": " + Kind.LEAKY.activate(x) + " vs " + darknet);
        }
    }

    @Test
    void parsesCfgNames() {
        for (Kind k : Kind.values()) {
            assertEquals(k, Kind.parse(k.cfgName));
        }
        assertEquals(Kind.LEAKY, Kind.parse("leaky"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kind.parse("stair"));
        assertTrue(e.getMessage().contains("'stair'") && e.getMessage().contains("leaky"), e.getMessage());
    }
}
