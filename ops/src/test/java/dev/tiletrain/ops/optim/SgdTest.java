package dev.tiletrain.ops.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tiletrain.ops.layers.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SgdTest {
    /**
     * Darknet's layer state and update, transcribed from update_convolutional_layer (convolutional_layer.c)
     * and update_connected_layer (connected_layer.c), with axpy_cpu and scal_cpu from blas.c. The
     * {@code *Updates} arrays are Darknet's: the backward adds −gradient into them.
     */
    static final class DarknetLayer {
        final boolean connected;
        final float learningRateScale;
        final float[] biases, scales, rollingMean, rollingVariance, weights;
        final float[] biasUpdates, scaleUpdates, weightUpdates;

        DarknetLayer(boolean connected, boolean batchNormalize, int n, int nweights, float learningRateScale, Random r) {
            this.connected = connected;
            this.learningRateScale = learningRateScale;
            biases = random(n, r);
            scales = batchNormalize ? random(n, r) : null;
            rollingMean = batchNormalize ? random(n, r) : null;
            rollingVariance = batchNormalize ? random(n, r) : null;
            weights = random(nweights, r);
            biasUpdates = new float[n];
            scaleUpdates = batchNormalize ? new float[n] : null;
            weightUpdates = new float[nweights];
        }

        static void axpy_cpu(int N, float ALPHA, float[] X, float[] Y) {
            for (int i = 0; i < N; ++i) {
                Y[i] += ALPHA * X[i];
            }
        }

        static void scal_cpu(int N, float ALPHA, float[] X) {
            for (int i = 0; i < N; ++i) {
                X[i] *= ALPHA;
            }
        }

        /** Both of Darknet's update functions do the same for these arrays; only the names of n differ. */
        void update(int batch, float rate, float momentum, float decay) {
            float learning_rate = rate * learningRateScale;
            int n = biases.length, nweights = weights.length;
            axpy_cpu(n, learning_rate / batch, biasUpdates, biases);
            scal_cpu(n, momentum, biasUpdates);
            if (scales != null) {
                axpy_cpu(n, learning_rate / batch, scaleUpdates, scales);
                scal_cpu(n, momentum, scaleUpdates);
            }
            axpy_cpu(nweights, -decay * batch, weights, weightUpdates);
            axpy_cpu(nweights, learning_rate / batch, weightUpdates, weights);
            scal_cpu(nweights, momentum, weightUpdates);
        }

        /** What the backward leaves in the update arrays for this true gradient. */
        static void accumulate(float[] updates, float[] gradient) {
            if (updates == null) {
                return;
            }
            for (int i = 0; i < updates.length; i++) {
                updates[i] += -gradient[i];
            }
        }

        /** The same parameters as Params in the order a weights file stores them. */
        List<Param> params() {
            List<Param> ps = new ArrayList<>();
            ps.add(new Param(Param.Role.BIASES, biases.clone()));
            if (scales != null) {
                ps.add(new Param(Param.Role.SCALES, scales.clone()));
                ps.add(new Param(Param.Role.ROLLING_MEAN, rollingMean.clone()));
                ps.add(new Param(Param.Role.ROLLING_VARIANCE, rollingVariance.clone()));
            }
            ps.add(connected ? 1 : ps.size(), new Param(Param.Role.WEIGHTS, weights.clone()));
            return ps;
        }

        /** This layer's value arrays, or with {@code forMomentum} its update arrays, in {@link #params()} order. */
        void appendInParamsOrder(List<float[]> out, boolean forMomentum) {
            List<float[]> arrays = new ArrayList<>();
            arrays.add(forMomentum ? biasUpdates : biases);
            if (scales != null) {
                arrays.add(forMomentum ? scaleUpdates : scales);
                arrays.add(forMomentum ? new float[rollingMean.length] : rollingMean);
                arrays.add(forMomentum ? new float[rollingVariance.length] : rollingVariance);
            }
            arrays.add(connected ? 1 : arrays.size(), forMomentum ? weightUpdates : weights);
            out.addAll(arrays);
        }
    }

    private static float[] random(int n, Random r) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    private static float[] concat(List<float[]> arrays) {
        int n = arrays.stream().mapToInt(a -> a.length).sum();
        float[] out = new float[n];
        int o = 0;
        for (float[] a : arrays) {
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }

    static Stream<Arguments> schedules() {
        return Stream.of(
                Arguments.of(new LearningRate(.01f, 3, 4, new LearningRate.Steps(new int[] {5, 7}, new float[] {.1f, 10})), .9f, .0005f, 6, 1L),
                Arguments.of(new LearningRate(.1f, 0, 4, new LearningRate.Constant()), .5f, .01f, 3, 2L),
                Arguments.of(new LearningRate(.003f, 2, 2, new LearningRate.Poly(20)), 0f, 0f, 10, 3L));
    }

    @ParameterizedTest
    @MethodSource("schedules")
    void stepsEqualDarknetsUpdateLoopToTheBit(LearningRate schedule, float momentum, float decay, int batch, long seed) {
        Random r = new Random(seed);
        List<DarknetLayer> darknet = List.of(
                new DarknetLayer(false, true, 4, 4 * 3 * 3 * 3, 1, r),
                new DarknetLayer(false, false, 5, 5 * 4, .3f, r),
                new DarknetLayer(true, true, 3, 3 * 7, 1, r),
                new DarknetLayer(true, false, 2, 2 * 3, 1.7f, r));
        List<ParamLayout.Entry> entries = new ArrayList<>();
        for (DarknetLayer l : darknet) {
            for (Param p : l.params()) {
                entries.add(new ParamLayout.Entry(p, l.learningRateScale));
            }
        }
        ParamLayout layout = ParamLayout.ofEntries(entries);
        float[] momentumState = new float[layout.size()];
        Sgd sgd = new Sgd(schedule, momentum, decay, batch);

        for (long batchNumber = 1; batchNumber <= 9; batchNumber++) {
            float[] gradients = random(layout.size(), r);
            // Darknet: the backward adds −gradient into *_updates, then update_network runs.
            List<float[]> grads = new ArrayList<>();
            int o = 0;
            for (DarknetLayer l : darknet) {
                List<float[]> own = new ArrayList<>();
                l.appendInParamsOrder(own, false);
                List<float[]> parts = new ArrayList<>();
                for (float[] a : own) {
                    float[] g = new float[a.length];
                    System.arraycopy(gradients, o, g, 0, a.length);
                    o += a.length;
                    parts.add(g);
                }
                List<float[]> updates = new ArrayList<>();
                l.appendInParamsOrder(updates, true);
                for (int i = 0; i < parts.size(); i++) {
                    DarknetLayer.accumulate(updates.get(i), parts.get(i));
                }
                l.update(batch, schedule.at(batchNumber), momentum, decay);
                grads.addAll(parts);
            }
            sgd.step(layout, gradients, momentumState, batchNumber);

            List<float[]> expectedWeights = new ArrayList<>(), expectedMomentum = new ArrayList<>();
            for (DarknetLayer l : darknet) {
                l.appendInParamsOrder(expectedWeights, false);
                l.appendInParamsOrder(expectedMomentum, true);
            }
            assertArrayEquals(concat(expectedWeights), layout.flatten(), "weights after batch " + batchNumber);
            assertArrayEquals(concat(expectedMomentum), momentumState, "momentum after batch " + batchNumber);
        }
    }

    @Test
    void decayAppliesToWeightsOnlyAndRollingStatisticsAreNotTouched() {
        Param w = new Param(Param.Role.WEIGHTS, new float[] {2, -4});
        Param b = new Param(Param.Role.BIASES, new float[] {3});
        Param s = new Param(Param.Role.SCALES, new float[] {5});
        Param mean = new Param(Param.Role.ROLLING_MEAN, new float[] {7});
        Param var = new Param(Param.Role.ROLLING_VARIANCE, new float[] {9});
        ParamLayout layout = ParamLayout.of(List.of(b, s, mean, var, w));
        float[] gradients = {0, 0, 100, 100, 0, 0};
        float[] momentum = new float[layout.size()];
        // rate .5, batch 4, decay .25: u = −.25·4·w = −w, each weight changes by (.5/4)·u = −w/8, momentum is .9·u.
        new Sgd(new LearningRate(.5f, 0, 4, new LearningRate.Constant()), .9f, .25f, 4)
                .step(layout, gradients, momentum, 1);
        assertArrayEquals(new float[] {3, 5, 7, 9, 2 - .25f, -4 + .5f}, layout.flatten());
        assertArrayEquals(new float[] {0, 0, 0, 0, .9f * -2, .9f * 4}, momentum);
    }

    @Test
    void aGradientStepWithoutDecayMovesAgainstTheGradientScaledByRateOverBatch() {
        Param w = new Param(Param.Role.WEIGHTS, new float[] {1});
        ParamLayout layout = ParamLayout.ofEntries(List.of(new ParamLayout.Entry(w, 2)));
        float[] momentum = {0};
        Sgd sgd = new Sgd(new LearningRate(.5f, 0, 4, new LearningRate.Constant()), .5f, 0, 2);
        sgd.step(layout, new float[] {4}, momentum, 1);
        assertEquals(1 - .5f * 2 / 2 * 4, w.value[0]); // rate·scale/batch · gradient: −1
        assertEquals(.5f * -4, momentum[0]);
        sgd.step(layout, new float[] {0}, momentum, 2);
        assertEquals(-1 + .5f * -2, w.value[0]); // the momentum alone moves it on
        assertEquals(.5f * -2, momentum[0]);
    }

    @Test
    void vectorsMustMatchTheLayout() {
        ParamLayout layout = ParamLayout.of(List.of(new Param(Param.Role.WEIGHTS, 3)));
        Sgd sgd = new Sgd(new LearningRate(1, 0, 4, new LearningRate.Constant()), 0, 0, 1);
        assertThrows(IllegalArgumentException.class, () -> sgd.step(layout, new float[2], new float[3], 1));
        assertThrows(IllegalArgumentException.class, () -> sgd.step(layout, new float[3], new float[4], 1));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(new LearningRate(1, 0, 4, new LearningRate.Constant()), 0, 0, 0));
    }
}
