package dev.tiletrain.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.net.StepResult;
import java.util.List;

/**
 * Tiled-versus-untiled comparison. Sums run in another order when tiled, so values agree to float
 * rounding: {@code max|a − b| ≤ tolerance · max|b|} per array (the array's largest magnitude is the scale,
 * so an element that cancels to near zero is judged against the array, not against itself).
 */
final class Closeness {
    private Closeness() {
    }

    static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0, worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            double d = Math.abs(expected[i] - actual[i]);
            if (d > worst || Double.isNaN(d)) {
                worst = d;
                at = i;
            }
        }
        double limit = tolerance * Math.max(scale, 1e-30);
        int i = at;
        double w = worst;
        assertTrue(w <= limit, () -> what + ": element " + i + " expected " + expected[i] + " got " + actual[i]
                + " (|diff| " + w + " > " + limit + ")");
    }

    static void assertSameStep(StepResult expected, StepResult actual, List<Param> params, double tolerance) {
        assertClose("cost", new float[] {expected.cost()}, new float[] {actual.cost()}, tolerance);
        assertClose("output", expected.output().data, actual.output().data, tolerance);
        assertClose("input gradient", expected.inputGradient().data, actual.inputGradient().data, tolerance);
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            float[] e = expected.gradients().get(p), a = actual.gradients().get(p);
            if (e == null) {
                assertTrue(a == null || isZero(a), "param " + k + " " + p + " has a tiled gradient only");
                continue;
            }
            assertTrue(a != null, "param " + k + " " + p + " has no tiled gradient");
            assertClose("gradient of param " + k + " " + p, e, a, tolerance);
        }
    }

    private static boolean isZero(float[] a) {
        for (float v : a) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }
}
