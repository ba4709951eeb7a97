package dev.tiletrain.ops.optim;

import java.util.Arrays;

/**
 * Darknet's learning-rate schedule, {@code get_current_rate} in {@code network.c}, as a function of the batch
 * number ({@code get_current_batch}: images seen / (batch × subdivisions), so the first update uses 1).
 *
 * <p>The arithmetic follows Darknet's C types exactly: the batch number is a {@code size_t}, so comparisons
 * and differences with the cfg's {@code int} values are unsigned. Two visible consequences: a negative entry
 * of {@code steps=} is never reached and ends the schedule (yolov2-tiny-voc's {@code steps=-1,...} trains at
 * {@code learning_rate} throughout), and the sigmoid policy before its {@code step} sees a huge positive
 * difference. {@code pow} and {@code exp} are {@link StrictMath}'s so that every device computes the same rate.
 */
public record LearningRate(float base, int burnIn, float power, Policy policy) {
    /** What {@code policy=} selects, with the {@code [net]} keys it reads. */
    public sealed interface Policy permits Constant, Step, Steps, Exp, Poly, Sigmoid {}

    /** {@code policy=constant}. */
    public record Constant() implements Policy {}

    /** {@code policy=step}: {@code base · scale^⌊batch / step⌋}. */
    public record Step(int step, float scale) implements Policy {
        public Step {
            if (step < 1) {
                throw new IllegalArgumentException("step must be at least 1: " + step);
            }
        }
    }

    /** {@code policy=steps}: multiply by {@code scales[i]} once the batch number reaches {@code steps[i]}. */
    public record Steps(int[] steps, float[] scales) implements Policy {
        public Steps {
            if (steps.length != scales.length) {
                throw new IllegalArgumentException(steps.length + " steps but " + scales.length + " scales");
            }
            steps = steps.clone();
            scales = scales.clone();
        }

        @Override
        public int[] steps() {
            return steps.clone();
        }

        @Override
        public float[] scales() {
            return scales.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Steps s && Arrays.equals(steps, s.steps) && Arrays.equals(scales, s.scales);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(steps) + Arrays.hashCode(scales);
        }

        @Override
        public String toString() {
            return "Steps[steps=" + Arrays.toString(steps) + ", scales=" + Arrays.toString(scales) + "]";
        }
    }

    /** {@code policy=exp}: {@code base · gamma^batch}. */
    public record Exp(float gamma) implements Policy {}

    /** {@code policy=poly}: {@code base · (1 − batch / maxBatches)^power}. */
    public record Poly(int maxBatches) implements Policy {
        public Poly {
            if (maxBatches < 1) {
                throw new IllegalArgumentException("max_batches must be at least 1 for policy=poly: " + maxBatches);
            }
        }
    }

    /** {@code policy=sigmoid}: {@code base / (1 + e^(gamma · (batch − step)))}. */
    public record Sigmoid(float gamma, int step) implements Policy {}

    public LearningRate {
        if (burnIn < 0) {
            throw new IllegalArgumentException("burn_in must not be negative: " + burnIn);
        }
    }

    /** The rate Darknet's {@code update_network} uses when {@code get_current_batch} is {@code batch}. */
    public float at(long batch) {
        if (batch < 0) {
            throw new IllegalArgumentException("negative batch number " + batch);
        }
        if (batch < burnIn) {
            return (float) (base * StrictMath.pow((float) batch / burnIn, power));
        }
        if (policy instanceof Constant) {
            return base;
        }
        if (policy instanceof Step s) {
            return (float) (base * StrictMath.pow(s.scale(), (double) (batch / s.step())));
        }
        if (policy instanceof Steps s) {
            float rate = base;
            for (int i = 0; i < s.steps.length; i++) {
                // (long) of a negative int has the bits of C's conversion of that int to size_t.
                if (Long.compareUnsigned(s.steps[i], batch) > 0) {
                    return rate;
                }
                rate *= s.scales[i];
            }
            return rate;
        }
        if (policy instanceof Exp e) {
            return (float) (base * StrictMath.pow(e.gamma(), (double) batch));
        }
        if (policy instanceof Poly p) {
            return (float) (base * StrictMath.pow(1 - (float) batch / p.maxBatches(), power));
        }
        Sigmoid g = (Sigmoid) policy;
        float x = g.gamma() * unsignedToFloat(batch - g.step());
        return (float) (base * (1. / (1. + StrictMath.exp(x))));
    }

    /** C's conversion of a {@code size_t} to {@code float} (round to nearest), for all 64-bit patterns. */
    private static float unsignedToFloat(long u) {
        if (u >= 0) {
            return u;
        }
        // Halve with the dropped bit kept as a sticky bit, so one rounding gives the correctly rounded result.
        return ((u >>> 1) | (u & 1)) * 2f;
    }
}
