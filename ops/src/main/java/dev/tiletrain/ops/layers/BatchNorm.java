package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.parallel.ComputeThreads;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.List;

/**
 * Darknet's batch normalization with its scale and shift, {@code z = γ·(x−μ)/(√v + 1e-6) + β} per channel,
 * followed by the block's activation: {@code y = f(z)}. The activation lives here, not in an {@link Activation}
 * layer after it, so that a block keeps one tensor fewer (x and y, no z: the backward recovers f'(z) from y, as
 * Darknet's gradients are written on the output) and makes a pass over memory fewer each way; every value is the
 * same float as the two layers' one after the other. {@link Activation.Kind#LINEAR} is batch norm alone.
 *
 * <p>{@link Mode#SYNC} (training) takes μ and the <em>unbiased</em> variance v over batch and whole map,
 * as Darknet does; the backward is the exact gradient of that forward (Darknet's hand-written backward
 * is not). Because the statistics span the whole map, a tiled pass synchronises them through
 * {@link Pass#statistics} and {@link Pass#backwardSums}, and adds the backward's global term only over the
 * positions it owns ({@link Pass#owned}). {@link Mode#FROZEN} uses the rolling statistics: no
 * synchronisation, only γ and β learn.
 *
 * <p>{@link Backward#DARKNET} replaces the sync backward by Darknet's own, so that a run can be compared step by
 * step with a Darknet run; it needs the same two global sums, so it is tiled exactly as the exact one.
 */
public final class BatchNorm implements Layer {
    /** Darknet adds this to √v, not to v. */
    public static final float EPSILON = 1e-6f;
    /** Darknet's rolling update: rolling = 0.99·rolling + 0.01·batch. */
    private static final float ROLLING_KEEP = 0.99f;

    public enum Mode { SYNC, FROZEN }

    /** The backward of a training pass with batch statistics ({@link Mode#SYNC}); frozen mode has no other. */
    public enum Backward {
        /** The exact gradient of the forward. */
        EXACT,
        /**
         * Darknet's {@code backward_batchnorm_layer} (blas.c's {@code mean_delta_cpu}, {@code variance_delta_cpu},
         * {@code normalize_delta_cpu}): √(v + 1e-5) where the forward divides by √v + 1e-6, and the mean and
         * variance deltas over the count m where the forward's variance divides by m − 1.
         */
        DARKNET
    }

    /** What Darknet's backward adds to v (not to √v, as the forward's {@link #EPSILON}). */
    private static final float DARKNET_BACKWARD_EPSILON = .00001f;

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

    /**
     * Per-channel Σdz and Σdz·x̂ (dz: the gradient at the normalization's output), the global terms of the exact
     * backward; they add up across tiles.
     */
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

    /** Elements normalized, then activated, at a time: the chunk is still in L1 when the activation reads it. */
    private static final int CHUNK = 4096;

    private final Shape shape;
    private final Mode mode;
    private final Backward backwardKind;
    private final Activation.Kind activation;
    private final Param biases;
    private final Param scales;
    private final Param rollingMean;
    private final Param rollingVariance;

    /** Batch norm alone (no activation after it), with the exact backward. */
    public BatchNorm(Shape shape, Mode mode) {
        this(shape, mode, Backward.EXACT, Activation.Kind.LINEAR);
    }

    public BatchNorm(Shape shape, Mode mode, Backward backward, Activation.Kind activation) {
        this.shape = shape;
        this.mode = mode;
        this.backwardKind = backward;
        this.activation = activation;
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

    public Backward backwardKind() {
        return backwardKind;
    }

    /** The activation applied to the normalized output ({@link Activation.Kind#LINEAR}: none). */
    public Activation.Kind activation() {
        return activation;
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
        // Rows as wide as x follow each other: then the plane's part inside r is one run.
        int runs = r.width() == x.w() ? 1 : r.height(), run = r.area() / runs;
        ComputeThreads.split(c, ComputeThreads.grain(x.n * r.area()), (from, to) -> {
            double[] acc = new double[2];
            for (int ch = from; ch < to; ch++) {
                for (int b = 0; b < x.n; b++) {
                    acc[0] = 0;
                    acc[1] = 0;
                    for (int k = 0; k < runs; k++) {
                        int i = x.index(b, ch, r.y1() + k, r.x1());
                        ChannelSums.sumAndSquares(x.data, i, i + run, acc);
                    }
                    sum[ch] += acc[0];
                    sq[ch] += acc[1];
                }
            }
        });
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
        Tensor in = x.rect.equals(out) ? x : x.crop(out);
        Tensor y = Tensor.zeros(x.n, shape.c(), out);
        int area = out.area(), c = shape.c();
        boolean activate = activation != Activation.Kind.LINEAR;
        ComputeThreads.split(x.n * c, ComputeThreads.grain(area), (first, last) -> {
            for (int p = first; p < last; p++) {
                int ch = p % c, end = (p + 1) * area;
                float mu = st.mean()[ch], s = (float) Math.sqrt(st.variance()[ch]) + EPSILON;
                for (int from = p * area; from < end; from += CHUNK) {
                    int to = Math.min(end, from + CHUNK);
                    normalizeScaleShift(in.data, y.data, from, to, mu, s, scales.value[ch], biases.value[ch]);
                    if (activate) {
                        activation.forward(y.data, y.data, from, to);
                    }
                }
            }
        });
        return y;
    }

    /**
     * Σdz and Σdz·x̂ per channel over all of {@code dy}, where dz is the gradient at the normalization's output
     * (dy through the activation).
     */
    public BackwardSums localSums(Tensor x, Tensor y, Tensor dy, Stats st) {
        Tensor dz = activation == Activation.Kind.LINEAR ? dy : Tensor.zeros(dy.n, dy.c, dy.rect);
        return sums(y, dy, dz, x.rect.equals(dy.rect) ? x : x.crop(dy.rect), st);
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        Stats st = statsFor(x, pass);
        Rect r = dy.rect;
        // Over dy's rectangle: dz in d (unless dz is dy itself), then dx written over it; x̂ is computed where
        // it is read (the same float a stored x̂ would hold). Every loop indexes all its arrays alike.
        Tensor in = x.rect.equals(r) ? x : x.crop(r);
        Tensor d = Tensor.zeros(dy.n, dy.c, r);
        Tensor dz = activation == Activation.Kind.LINEAR ? dy : d;
        BackwardSums local = sums(y, dy, dz, in, st);
        float[] gScales = pass.grad(scales), gBiases = pass.grad(biases);
        for (int ch = 0; ch < shape.c(); ch++) {
            gScales[ch] += (float) local.sumDyXhat()[ch];
            gBiases[ch] += (float) local.sumDy()[ch];
        }
        boolean sync = synchronises(pass);
        BackwardSums global = sync ? pass.backwardSums(this, local) : null;
        Rect owned = sync ? pass.owned(this, r) : null;
        int area = r.area(), c = shape.c();
        ComputeThreads.split(x.n * c, ComputeThreads.grain(area), (first, last) -> {
            for (int p = first; p < last; p++) {
                int ch = p % c;
                float mu = st.mean()[ch];
                float sigma = (float) Math.sqrt(st.variance()[ch]);
                float s = sigma + EPSILON;
                float g = scales.value[ch];
                float direct = g / s;
                int plane = p * area;
                if (!sync) {
                    scale(dz.data, d.data, plane, plane + area, direct);
                    continue;
                }
                // dx = direct·dz − (meanTerm + x̂·varTerm): the mean's and the variance's terms are added only
                // where this pass owns the position.
                float meanTerm, varTerm;
                if (backwardKind == Backward.EXACT) {
                    // dx = γ/(σ+ε)·(dz − Σdz/m) − γ·x̂·Σ(dz·x̂)/((m−1)·σ)
                    meanTerm = (float) (direct * global.sumDy()[ch] / st.count());
                    varTerm = (float) (g * global.sumDyXhat()[ch] / ((st.count() - 1) * (double) sigma));
                } else {
                    // Darknet's dx = γdz/r + 2(x−μ)·Vδ/m + Mδ/m with r = √(v+1e-5), Mδ = −γΣdz/r and
                    // Vδ = −½·γΣdz(x−μ)·r⁻³, where x − μ = s·x̂.
                    double v = st.variance()[ch] + DARKNET_BACKWARD_EPSILON, root = Math.sqrt(v);
                    direct = (float) (g / root);
                    meanTerm = (float) (g * global.sumDy()[ch] / (st.count() * root));
                    varTerm = (float) (g * (double) s * s * global.sumDyXhat()[ch] / (st.count() * v * root));
                }
                if (r.equals(owned)) {
                    gradient(dz.data, in.data, d.data, plane, plane + area, mu, s, direct, meanTerm, varTerm);
                    continue;
                }
                for (int yy = r.y1(); yy <= r.y2(); yy++) {
                    int row = plane + (yy - r.y1()) * r.width();
                    if (owned == null || yy < owned.y1() || yy > owned.y2()) {
                        scale(dz.data, d.data, row, row + r.width(), direct);
                        continue;
                    }
                    int from = row + owned.x1() - r.x1(), to = row + owned.x2() - r.x1() + 1;
                    scale(dz.data, d.data, row, from, direct);
                    gradient(dz.data, in.data, d.data, from, to, mu, s, direct, meanTerm, varTerm);
                    scale(dz.data, d.data, to, row + r.width(), direct);
                }
            }
        });
        if (x.rect.equals(r)) {
            return d;
        }
        Tensor dx = Tensor.zeros(x.n, shape.c(), x.rect);
        dx.copyOverlap(d);
        return dx;
    }

    /**
     * Σdz and Σdz·x̂ per channel, x over dy's rectangle: each image's plane of dz (dy through the activation,
     * written on y) is filled just before it is summed, while it is in cache. With no activation dz is dy.
     */
    private BackwardSums sums(Tensor y, Tensor dy, Tensor dz, Tensor x, Stats st) {
        boolean activate = activation != Activation.Kind.LINEAR;
        if (activate && !y.rect.equals(dy.rect)) {
            throw new IllegalArgumentException(describe() + ": output " + y.rect + " and its gradient " + dy.rect + " differ");
        }
        int c = shape.c(), area = dy.rect.area();
        double[] sdz = new double[c], sdzx = new double[c];
        ComputeThreads.split(c, ComputeThreads.grain(dy.n * area), (first, last) -> {
            double[] acc = new double[2];
            for (int ch = first; ch < last; ch++) {
                float mu = st.mean()[ch], s = (float) Math.sqrt(st.variance()[ch]) + EPSILON;
                for (int b = 0; b < dy.n; b++) {
                    int from = (b * c + ch) * area;
                    if (activate) {
                        activation.backward(y.data, dy.data, dz.data, from, from + area);
                    }
                    ChannelSums.sumAndProducts(dz.data, x.data, from, from + area, mu, s, acc);
                    sdz[ch] += acc[0];
                    sdzx[ch] += acc[1];
                }
            }
        });
        return new BackwardSums(sdz, sdzx);
    }

    // The loops below index every array alike, which C2 (Java 17) needs to vectorize a loop over several
    // arrays (measured 16× on the division loop); the per-channel sums are ChannelSums's.
    // x̂ = (x − μ)/s is Darknet's normalization in Darknet's order: subtract the mean, divide (not multiply by
    // a reciprocal).

    /** y = x̂·γ + β. */
    private static void normalizeScaleShift(float[] x, float[] y, int from, int to, float mu, float s, float g, float beta) {
        for (int i = from; i < to; i++) {
            y[i] = (x[i] - mu) / s * g + beta;
        }
    }

    /** dx = direct·dz, into {@code d}. */
    private static void scale(float[] dz, float[] d, int from, int to, float direct) {
        for (int i = from; i < to; i++) {
            d[i] = direct * dz[i];
        }
    }

    /** dx = direct·dz − (meanTerm + x̂·varTerm), into {@code d} (which may be dz). */
    private static void gradient(float[] dz, float[] x, float[] d, int from, int to, float mu, float s, float direct,
                                 float meanTerm, float varTerm) {
        for (int i = from; i < to; i++) {
            d[i] = direct * dz[i] - (meanTerm + (x[i] - mu) / s * varTerm);
        }
    }

    /** Darknet's rolling update after a training forward with batch statistics {@code st}. */
    public void updateRolling(Stats st) {
        for (int ch = 0; ch < shape.c(); ch++) {
            rollingMean.value[ch] = ROLLING_KEEP * rollingMean.value[ch] + (1 - ROLLING_KEEP) * st.mean()[ch];
            rollingVariance.value[ch] = ROLLING_KEEP * rollingVariance.value[ch] + (1 - ROLLING_KEEP) * st.variance()[ch];
        }
    }

    /** Sets the rolling statistics to {@code st} (a calibration's statistics over many images). */
    public void setRolling(Stats st) {
        System.arraycopy(st.mean(), 0, rollingMean.value, 0, shape.c());
        System.arraycopy(st.variance(), 0, rollingVariance.value, 0, shape.c());
    }

    @Override
    public String describe() {
        return "batchnorm " + mode.name().toLowerCase() + " " + shape.c()
                + (activation == Activation.Kind.LINEAR ? "" : " " + activation.cfgName);
    }
}
