package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.List;

/**
 * Darknet's batch normalization with its scale and shift: {@code y = γ·(x−μ)/(√v + 1e-6) + β} per channel.
 *
 * <p>{@link Mode#SYNC} (training) takes μ and the <em>unbiased</em> variance v over batch and whole map,
 * as Darknet does; the backward is the exact gradient of that forward (Darknet's hand-written backward
 * is not). Because the statistics span the whole map, a tiled pass synchronises them through
 * {@link Pass#statistics} and {@link Pass#backwardSums}, and adds the backward's global term only over the
 * positions it owns ({@link Pass#owned}). {@link Mode#FROZEN} uses the rolling statistics: no
 * synchronisation, only γ and β learn.
 */
public final class BatchNorm implements Layer {
    /** Darknet adds this to √v, not to v. */
    public static final float EPSILON = 1e-6f;
    /** Darknet's rolling update: rolling = 0.99·rolling + 0.01·batch. */
    private static final float ROLLING_KEEP = 0.99f;

    public enum Mode { SYNC, FROZEN }

    /** Per-channel batch statistics and the element count per channel they came from. */
    public record Stats(float[] mean, float[] variance, long count) {}

    /** Per-channel count, Σx and Σx² over some positions; they add up across tiles. */
    public record Moments(long count, double[] sum, double[] sumSquares) {
        public Moments plus(Moments o) {
            double[] s = sum.clone(), q = sumSquares.clone();
            for (int i = 0; i < s.length; i++) {
                s[i] += o.sum[i];
                q[i] += o.sumSquares[i];
            }
            return new Moments(count + o.count, s, q);
        }

        /** Mean and unbiased variance, as Darknet's mean_cpu and variance_cpu define them. */
        public Stats stats() {
            float[] mean = new float[sum.length], variance = new float[sum.length];
            for (int i = 0; i < sum.length; i++) {
                double m = sum[i] / count;
                mean[i] = (float) m;
                variance[i] = (float) Math.max(0, (sumSquares[i] - sum[i] * m) / (count - 1));
            }
            return new Stats(mean, variance, count);
        }
    }

    /** Per-channel Σdy and Σdy·x̂, the global terms of the exact backward; they add up across tiles. */
    public record BackwardSums(double[] sumDy, double[] sumDyXhat) {
        public BackwardSums plus(BackwardSums o) {
            double[] a = sumDy.clone(), b = sumDyXhat.clone();
            for (int i = 0; i < a.length; i++) {
                a[i] += o.sumDy[i];
                b[i] += o.sumDyXhat[i];
            }
            return new BackwardSums(a, b);
        }
    }

    private final Shape shape;
    private final Mode mode;
    private final Param biases;
    private final Param scales;
    private final Param rollingMean;
    private final Param rollingVariance;

    public BatchNorm(Shape shape, Mode mode) {
        this.shape = shape;
        this.mode = mode;
        int c = shape.c();
        biases = new Param(Param.Role.BIASES, c);
        scales = new Param(Param.Role.SCALES, c);
        java.util.Arrays.fill(scales.value, 1f);
        rollingMean = new Param(Param.Role.ROLLING_MEAN, c);
        rollingVariance = new Param(Param.Role.ROLLING_VARIANCE, c);
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public Shape inputShape() {
        return shape;
    }

    @Override
    public Shape outputShape() {
        return shape;
    }

    @Override
    public boolean tileable() {
        return true;
    }

    @Override
    public Rect inputRegion(Rect out) {
        return out;
    }

    @Override
    public List<Param> params() {
        return List.of(biases, scales, rollingMean, rollingVariance);
    }

    /** True when this layer needs statistics from the whole map in a training pass. */
    public boolean synchronises(Pass pass) {
        return mode == Mode.SYNC && pass.training();
    }

    /** Count, Σx and Σx² per channel over the positions of {@code x} inside {@code r} (none when r is null). */
    public Moments moments(Tensor x, Rect r) {
        int c = shape.c();
        double[] sum = new double[c], sq = new double[c];
        if (r == null) {
            return new Moments(0, sum, sq);
        }
        for (int b = 0; b < x.n; b++) {
            for (int ch = 0; ch < c; ch++) {
                double s = 0, q = 0;
                for (int y = r.y1(); y <= r.y2(); y++) {
                    int i = x.index(b, ch, y, r.x1());
                    for (int k = 0; k < r.width(); k++) {
                        double v = x.data[i + k];
                        s += v;
                        q += v * v;
                    }
                }
                sum[ch] += s;
                sq[ch] += q;
            }
        }
        return new Moments((long) x.n * r.area(), sum, sq);
    }

    /** The statistics this pass normalizes with. */
    private Stats statsFor(Tensor x, Pass pass) {
        return synchronises(pass)
                ? pass.statistics(this, x)
                : new Stats(rollingMean.value, rollingVariance.value, 0);
    }

    @Override
    public Tensor forward(Tensor x, Rect out, Pass pass) {
        Stats st = statsFor(x, pass);
        Tensor y = Tensor.zeros(x.n, shape.c(), out);
        for (int b = 0; b < x.n; b++) {
            for (int ch = 0; ch < shape.c(); ch++) {
                float s = (float) Math.sqrt(st.variance()[ch]) + EPSILON;
                float mu = st.mean()[ch], g = scales.value[ch], beta = biases.value[ch];
                for (int yy = out.y1(); yy <= out.y2(); yy++) {
                    int i = x.index(b, ch, yy, out.x1()), o = y.index(b, ch, yy, out.x1());
                    for (int k = 0; k < out.width(); k++) {
                        // Darknet's operations in Darknet's order: normalize (a division), scale, add bias.
                        float xhat = (x.data[i + k] - mu) / s;
                        y.data[o + k] = xhat * g + beta;
                    }
                }
            }
        }
        return y;
    }

    /** Σdy and Σdy·x̂ per channel over all of {@code dy}. */
    public BackwardSums localSums(Tensor x, Tensor dy, Stats st) {
        int c = shape.c();
        double[] sdy = new double[c], sdyx = new double[c];
        Rect r = dy.rect;
        for (int b = 0; b < dy.n; b++) {
            for (int ch = 0; ch < c; ch++) {
                float s = (float) Math.sqrt(st.variance()[ch]) + EPSILON;
                float mu = st.mean()[ch];
                double a = 0, bb = 0;
                for (int yy = r.y1(); yy <= r.y2(); yy++) {
                    int i = x.index(b, ch, yy, r.x1()), d = dy.index(b, ch, yy, r.x1());
                    for (int k = 0; k < r.width(); k++) {
                        double g = dy.data[d + k];
                        a += g;
                        bb += g * ((x.data[i + k] - mu) / s);
                    }
                }
                sdy[ch] += a;
                sdyx[ch] += bb;
            }
        }
        return new BackwardSums(sdy, sdyx);
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        Stats st = statsFor(x, pass);
        BackwardSums local = localSums(x, dy, st);
        float[] gScales = pass.grad(scales), gBiases = pass.grad(biases);
        for (int ch = 0; ch < shape.c(); ch++) {
            gScales[ch] += (float) local.sumDyXhat()[ch];
            gBiases[ch] += (float) local.sumDy()[ch];
        }
        Tensor dx = Tensor.zeros(x.n, shape.c(), x.rect);
        boolean sync = synchronises(pass);
        BackwardSums global = sync ? pass.backwardSums(this, local) : null;
        Rect owned = sync ? pass.owned(this, dy.rect) : null;
        Rect r = dy.rect;
        for (int b = 0; b < x.n; b++) {
            for (int ch = 0; ch < shape.c(); ch++) {
                float sigma = (float) Math.sqrt(st.variance()[ch]);
                float s = sigma + EPSILON;
                float g = scales.value[ch], mu = st.mean()[ch];
                float direct = g / s;
                // dx = γ/(σ+ε)·(dy − Σdy/m) − γ·x̂·Σ(dy·x̂)/((m−1)·σ): the mean's and the variance's terms.
                float meanTerm = 0, varTerm = 0;
                if (sync) {
                    meanTerm = (float) (direct * global.sumDy()[ch] / st.count());
                    varTerm = (float) (g * global.sumDyXhat()[ch] / ((st.count() - 1) * (double) sigma));
                }
                for (int yy = r.y1(); yy <= r.y2(); yy++) {
                    int i = x.index(b, ch, yy, r.x1()), d = dy.index(b, ch, yy, r.x1()), o = dx.index(b, ch, yy, r.x1());
                    for (int k = 0; k < r.width(); k++) {
                        dx.data[o + k] = direct * dy.data[d + k];
                    }
                    if (sync && owned != null && yy >= owned.y1() && yy <= owned.y2()) {
                        for (int xx = owned.x1(); xx <= owned.x2(); xx++) {
                            int k = xx - r.x1();
                            float xhat = (x.data[i + k] - mu) / s;
                            dx.data[o + k] -= meanTerm + xhat * varTerm;
                        }
                    }
                }
            }
        }
        return dx;
    }

    /** Darknet's rolling update after a training forward with batch statistics {@code st}. */
    public void updateRolling(Stats st) {
        for (int ch = 0; ch < shape.c(); ch++) {
            rollingMean.value[ch] = ROLLING_KEEP * rollingMean.value[ch] + (1 - ROLLING_KEEP) * st.mean()[ch];
            rollingVariance.value[ch] = ROLLING_KEEP * rollingVariance.value[ch] + (1 - ROLLING_KEEP) * st.variance()[ch];
        }
    }

    @Override
    public String describe() {
        return "batchnorm " + mode.name().toLowerCase() + " " + shape.c();
    }
}
