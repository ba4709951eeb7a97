package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Finite-difference gradient check of one layer. The scalar under test is {@code L = Σ y·r} for a fixed
 * random {@code r}, accumulated in double, so dL/dy = r and the layer's backward must give dL/dx and
 * dL/dθ. Central differences with step {@link #STEP}: for float32 layers the rounding of L limits the
 * numeric derivative to about 1e-4 absolute, hence the tolerance
 * {@code |analytic − numeric| ≤ TOLERANCE · max(1, |analytic|)}. A coordinate where the half step
 * disagrees with the full step sits on a kink (leaky at 0, a max-pool tie) and is skipped; at most a
 * tenth of the coordinates may be skipped.
 */
public final class GradientCheck {
    public static final float STEP = 1e-2f;
    public static final double TOLERANCE = 2e-3;
    private static final int COORDINATES = 48;

    private final Layer layer;
    private final int batch;
    private final Supplier<Pass> passes;
    private final Random random;

    public GradientCheck(Layer layer, int batch, Supplier<Pass> passes, long seed) {
        this.layer = layer;
        this.batch = batch;
        this.passes = passes;
        this.random = new Random(seed);
    }

    /** A training pass of the untiled kind with a fixed seed. */
    public static Supplier<Pass> training() {
        return () -> new WholeMapPass(true, 7);
    }

    /** Fills x with uniform values in [-1, 1) and every trainable parameter with values near its own. */
    public Tensor randomInput() {
        Shape s = layer.inputShape();
        Tensor x = Tensor.zeros(batch, s);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = random.nextFloat() * 2 - 1;
        }
        return x;
    }

    public void randomizeParams() {
        for (Param p : layer.params()) {
            for (int i = 0; i < p.size(); i++) {
                switch (p.role) {
                    case SCALES -> p.value[i] = 0.5f + random.nextFloat();
                    case ROLLING_VARIANCE -> p.value[i] = 0.2f + random.nextFloat();
                    default -> p.value[i] = random.nextFloat() - 0.5f;
                }
            }
        }
    }

    /** Runs the check on a random input and the layer's current parameters. */
    public void run() {
        run(randomInput());
    }

    public void run(Tensor x) {
        Tensor probe = layer.forward(x, layer.outputShape().full(), passes.get());
        float[] r = new float[probe.data.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = random.nextFloat() * 2 - 1;
        }
        Pass pass = passes.get();
        Tensor y = layer.forward(x, layer.outputShape().full(), pass);
        Tensor dy = new Tensor(y.n, y.c, y.rect, r.clone());
        Tensor dx = layer.backward(x, y, dy, pass);

        List<String> failures = new ArrayList<>();
        int skipped = 0, checked = 0;
        for (int k = 0; k < Math.min(COORDINATES, x.data.length); k++) {
            int i = random.nextInt(x.data.length);
            Double numeric = numeric(x.data, i, x, r);
            if (numeric == null) {
                skipped++;
                continue;
            }
            checked++;
            compare("dx[" + i + "]", dx.data[i], numeric, failures);
        }
        for (Param p : layer.params()) {
            if (!p.role.trainable) {
                continue;
            }
            float[] g = pass.grad(p);
            for (int k = 0; k < Math.min(COORDINATES, p.size()); k++) {
                int i = random.nextInt(p.size());
                Double numeric = numeric(p.value, i, x, r);
                if (numeric == null) {
                    skipped++;
                    continue;
                }
                checked++;
                compare(p + "[" + i + "]", g[i], numeric, failures);
            }
        }
        assertTrue(skipped * 10 <= checked + skipped, layer.describe() + ": too many kinks: " + skipped + " skipped of " + (checked + skipped));
        assertTrue(failures.isEmpty(), layer.describe() + ": " + failures.size() + " of " + checked
                + " derivatives off (tolerance " + TOLERANCE + "): " + String.join("; ", failures.subList(0, Math.min(8, failures.size()))));
    }

    private static void compare(String what, double analytic, double numeric, List<String> failures) {
        if (Math.abs(analytic - numeric) > TOLERANCE * Math.max(1, Math.abs(analytic))) {
            failures.add(what + " analytic " + analytic + " numeric " + numeric);
        }
    }

    /** Central difference of L along {@code values[i]}, or null when the step crosses a kink. */
    private Double numeric(float[] values, int i, Tensor x, float[] r) {
        double full = difference(values, i, STEP, x, r);
        double half = difference(values, i, STEP / 2, x, r);
        return Math.abs(full - half) > TOLERANCE * Math.max(1, Math.abs(full)) ? null : full;
    }

    private double difference(float[] values, int i, float step, Tensor x, float[] r) {
        float saved = values[i];
        values[i] = saved + step;
        double plus = objective(x, r);
        values[i] = saved - step;
        double minus = objective(x, r);
        values[i] = saved;
        return (plus - minus) / (2.0 * step);
    }

    private double objective(Tensor x, float[] r) {
        Tensor y = layer.forward(x, layer.outputShape().full(), passes.get());
        double sum = 0;
        for (int i = 0; i < r.length; i++) {
            sum += (double) y.data[i] * r[i];
        }
        return sum;
    }
}
