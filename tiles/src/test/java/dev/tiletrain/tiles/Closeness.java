package dev.tiletrain.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.net.StepResult;
import java.util.List;

/**
 * Tiled-versus-untiled comparison. Sums run in another order when tiled, so values agree to float
 * rounding, judged normwise: {@code max|a − b| ≤ tolerance · scale}. The scale of the output, of the
 * input gradient and of the cost is its own largest magnitude; the scale of every parameter gradient is
 * the largest magnitude of the whole parameter gradient. Why whole: a direction batch norm makes
 * invariant (scaling a filter that feeds a sync batch norm, shifting a bias before it) has a true gradient
 * of zero, so its computed value is pure rounding noise, amplified by 1/σ, and cannot agree with itself
 * to 1e-5; against the gradient vector it belongs to, it must.
 */
final class Closeness {
    private Closeness() {
    }

    static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
        assertClose(what, expected, actual, tolerance, largest(expected));
    }

    static void assertClose(String what, float[] expected, float[] actual, double tolerance, double scale) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
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
        double scale = 0;
        for (float[] g : expected.gradients().values()) {
            scale = Math.max(scale, largest(g));
        }
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            float[] e = expected.gradients().get(p), a = actual.gradients().get(p);
            if (e == null) {
                assertTrue(a == null || isZero(a), "param " + k + " " + p + " has a tiled gradient only");
                continue;
            }
            assertTrue(a != null, "param " + k + " " + p + " has no tiled gradient");
            assertClose("gradient of param " + k + " " + p, e, a, tolerance, scale);
        }
    }

    private static double largest(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
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
