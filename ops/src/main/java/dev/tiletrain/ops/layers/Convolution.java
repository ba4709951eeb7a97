package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.parallel.ComputeThreads;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.List;
import java.util.Random;

/**
 * Darknet's convolution without bias (a {@link Bias}, or a {@link BatchNorm}'s β, follows it), by im2col
 * and one GEMM per image: {@code Y = W·col} with W filters×(channels·size·size) in Darknet's layout; a 3×3,
 * stride-1 layer computes its forward and input gradient, and with many channels its weight gradient, by
 * {@link Winograd} instead (see {@link WinogradUse}).
 *
 * <p>It works on rectangles: the output rectangle {@code out} reads {@link #inputRegion(Rect)} of the
 * input, and an input position outside the true map [0,H)×[0,W) is zero padding; so a tile pads only
 * where it touches the map border, and a whole-map rectangle is Darknet's convolution.
 *
 * <p>The im2col matrix ({@link Im2col}) is built a band of output rows at a time; a batch is one GEMM per
 * image and band: no wider GEMM is needed (see {@link Im2col#MIN_COLUMNS}).
 */
public final class Convolution implements Layer {
    private final Shape in;
    private final Shape out;
    private final int size;
    private final int stride;
    private final int padding;
    /** Rows of the im2col matrix: channels·size·size. */
    private final int patch;
    private final Param weights;
    private final Im2col im2col;

    /**
     * A layer with Darknet's initialization: every weight uniform in [−scale, scale) with
     * {@code scale = √(2/(size·size·channels))}, drawn from {@code init} in storage order.
     */
    public Convolution(Shape in, int filters, int size, int stride, int padding, Random init) {
        if (filters <= 0 || size <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("convolution needs filters, size, stride > 0 and padding >= 0, got filters="
                    + filters + " size=" + size + " stride=" + stride + " padding=" + padding);
        }
        if (padding >= size) {
            // Border outputs would read padding only, and an input region cannot be empty.
            throw new IllegalArgumentException("convolution padding " + padding + " must be less than its size " + size);
        }
        int h = in.h() + 2 * padding - size, w = in.w() + 2 * padding - size;
        if (h < 0 || w < 0) {
            throw new IllegalArgumentException("convolution " + size + "x" + size + " with padding " + padding
                    + " does not fit input " + in);
        }
        this.in = in;
        this.out = new Shape(filters, h / stride + 1, w / stride + 1);
        this.size = size;
        this.stride = stride;
        this.padding = padding;
        this.patch = in.c() * size * size;
        this.im2col = new Im2col(in, size, stride, padding);
        this.weights = new Param(Param.Role.WEIGHTS, filters * patch);
        float scale = (float) Math.sqrt(2.0 / patch);
        for (int i = 0; i < weights.value.length; i++) {
            weights.value[i] = scale * (init.nextFloat() * 2 - 1);
        }
    }

    /** As {@link #Convolution(Shape, int, int, int, int, Random)} with the weights drawn from seed 0. */
    public Convolution(Shape in, int filters, int size, int stride, int padding) {
        this(in, filters, size, stride, padding, new Random(0));
    }

    @Override
    public Shape inputShape() {
        return in;
    }

    @Override
    public Shape outputShape() {
        return out;
    }

    @Override
    public boolean tileable() {
        return true;
    }

    @Override
    public Rect inputRegion(Rect o) {
        return new Rect(Math.max(o.x1() * stride - padding, 0), Math.max(o.y1() * stride - padding, 0),
                Math.min(o.x2() * stride - padding + size - 1, in.w() - 1),
                Math.min(o.y2() * stride - padding + size - 1, in.h() - 1));
    }

    @Override
    public List<Param> params() {
        return List.of(weights);
    }

    @Override
    public Tensor forward(Tensor x, Rect o, Pass pass) {
        check(x, o);
        int filters = out.c(), area = o.area();
        Tensor y = Tensor.zeros(x.n, filters, o);
        if (winograd((long) x.n * area)) {
            Winograd.correlate(Winograd.filters(weights.value, filters, in.c()), false, filters, in.c(), x, padding, y);
            return y;
        }
        im2col.overBands(x, o, true, (b, col, colOff, ld, columns, at, gemm, part) -> gemm.sgemm(false, false, filters, columns,
                patch, 1, weights.value, 0, patch, col, colOff, ld, 0, y.data, b * filters * area + at, area));
        return y;
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        weightGradient(x, dy, pass.grad(weights));
        return inputGradient(x.rect, dy);
    }

    @Override
    public void backwardParams(Tensor x, Tensor y, Tensor dy, Pass pass) {
        weightGradient(x, dy, pass.grad(weights));
    }

    /**
     * Adds dLoss/dW = Σ over images of dY·colᵀ into {@code grad} (or by {@link Winograd}, see {@link WinogradUse});
     * x must cover inputRegion(dy.rect). Parts of the bands that run on other compute threads sum into arrays of
     * their own, added into grad after in part order (so the sum's order depends on the thread count, not on
     * timing).
     */
    public void weightGradient(Tensor x, Tensor dy, float[] grad) {
        Rect o = dy.rect;
        check(x, o);
        checkGradient(dy, x.n);
        int filters = out.c(), area = o.area();
        if (WinogradUse.current().appliesToWeightGradient(size, stride, in.c(), out.c(), (long) x.n * area)) {
            Winograd.weightGradient(x, dy, padding, grad);
            return;
        }
        // One sum per part of the bands; there are never more parts than compute threads.
        float[][] sums = new float[ComputeThreads.get()][];
        sums[0] = grad;
        im2col.overBands(x, o, true, (b, col, colOff, ld, columns, at, gemm, part) -> {
            if (sums[part] == null) {
                sums[part] = new float[grad.length];
            }
            gemm.sgemm(false, true, filters, patch, columns, 1, dy.data, b * filters * area + at, area, col, colOff, ld, 1,
                    sums[part], 0, patch);
        });
        for (int part = 1; part < sums.length; part++) {
            float[] s = sums[part];
            if (s != null) {
                for (int i = 0; i < grad.length; i++) {
                    grad[i] += s[i];
                }
            }
        }
    }

    /**
     * dLoss/dx over {@code xRect} (which must cover inputRegion(dy.rect)): dcol = Wᵀ·dY, scattered back by
     * col2im; positions of xRect that the output does not read get 0.
     */
    public Tensor inputGradient(Rect xRect, Tensor dy) {
        Rect o = dy.rect;
        checkGradient(dy, dy.n);
        Tensor dx = Tensor.zeros(dy.n, in.c(), xRect);
        check(dx, o);
        int filters = out.c(), area = o.area();
        if (winograd((long) dy.n * area)) {
            // The forward's correlation run backwards: dy through the filters turned by 180°, channels swapped.
            float[] u = Winograd.filters(weights.value, filters, in.c());
            Winograd.correlate(u, true, in.c(), filters, dy, size - 1 - padding, dx);
            return dx;
        }
        im2col.overBands(dx, o, false, (b, col, colOff, ld, columns, at, gemm, part) -> gemm.sgemm(true, false, patch, columns,
                filters, 1, weights.value, 0, patch, dy.data, b * filters * area + at, area, 0, col, colOff, ld));
        return dx;
    }

    /**
     * Floats of the per-thread im2col array that a product over output {@code o} from an input (or input
     * gradient) over {@code xRect} needs: 0 when the layer reads its input in place. The array stays with the
     * thread after the call, so a memory model counts the largest one once per thread. Under {@link Winograd}
     * the larger of that and its band array plus its transformed filters (16/9 of the weights, for the call).
     */
    public int scratchFloats(Rect xRect, Rect o) {
        int floats = im2col.scratchFloats(xRect, o);
        // Winograd's bands, over the larger of the two rectangles it writes, and its transformed filters (counted
        // whenever the geometry allows it, whatever the batch).
        if (!winograd(Long.MAX_VALUE)) {
            return floats;
        }
        return Math.max(floats, Winograd.scratchFloats(in.c() + out.c(), xRect) + 16 * in.c() * out.c());
    }

    /**
     * True when the forward and the input gradient over {@code positions} output positions run by {@link Winograd}
     * (the JVM's {@link WinogradUse}).
     */
    private boolean winograd(long positions) {
        return WinogradUse.current().applies(size, stride, in.c(), out.c(), positions);
    }

    private void check(Tensor x, Rect o) {
        if (!out.full().contains(o)) {
            throw new IllegalArgumentException(describe() + ": output " + o + " is outside the output map " + out);
        }
        if (x.c != in.c()) {
            throw new IllegalArgumentException(describe() + ": input has " + x.c + " channels, expected " + in.c());
        }
        Rect need = inputRegion(o);
        if (!x.rect.contains(need)) {
            throw new IllegalArgumentException(describe() + ": output " + o + " reads input " + need
                    + " but the input covers only " + x.rect);
        }
    }

    private void checkGradient(Tensor dy, int n) {
        if (dy.c != out.c() || dy.n != n) {
            throw new IllegalArgumentException(describe() + ": gradient is " + dy.n + "x" + dy.c + ", expected "
                    + n + "x" + out.c());
        }
    }

    @Override
    public String describe() {
        return "conv " + size + "x" + size + "/" + stride + " " + out.c();
    }
}
