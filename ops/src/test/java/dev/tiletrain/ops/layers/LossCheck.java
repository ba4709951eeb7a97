package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Compares a loss layer's input gradient with central differences of a scalar function of its input:
 * the cost itself where Darknet's delta is its exact derivative, otherwise a surrogate whose exact
 * derivative Darknet's delta is. The quotient divides by the float-rounded step actually taken.
 * Passes when {@code |analytic − numeric| ≤ tolerance · max(1, |analytic|)} at every input value.
 */
final class LossCheck {
    private LossCheck() {}

    /** Against the layer's own cost, where Darknet's delta is its exact derivative. */
    static void gradientOfCost(LossLayer layer, Tensor x, Truth truth) {
        gradient(layer, x, truth, v -> layer.loss(v, truth, new WholeMapPass(true, 0)).cost(), GradientCheck.STEP,
                GradientCheck.TOLERANCE);
    }

    static void gradient(LossLayer layer, Tensor x, Truth truth, ToDoubleFunction<Tensor> objective, float step,
            double tolerance) {
        Tensor analytic = layer.loss(x, truth, new WholeMapPass(true, 1)).inputGradient();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < x.data.length; i++) {
            float saved = x.data[i];
            float plus = saved + step, minus = saved - step;
            x.data[i] = plus;
            double fPlus = objective.applyAsDouble(x);
            x.data[i] = minus;
            double fMinus = objective.applyAsDouble(x);
            x.data[i] = saved;
            double numeric = (fPlus - fMinus) / ((double) plus - minus);
            double a = analytic.data[i];
            if (Math.abs(a - numeric) > tolerance * Math.max(1, Math.abs(a))) {
                failures.add("dx[" + i + "] analytic " + a + " numeric " + numeric);
            }
        }
        assertTrue(failures.isEmpty(), layer.describe() + ": " + failures.size() + " of " + x.data.length
                + " off (tolerance " + tolerance + "): " + String.join("; ", failures.subList(0, Math.min(8, failures.size()))));
    }
}
