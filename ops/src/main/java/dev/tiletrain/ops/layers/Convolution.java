package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.gemm.Gemm;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Darknet's convolution without bias (a {@link Bias}, or a {@link BatchNorm}'s β, follows it), by im2col
 * and one GEMM per image: {@code Y = W·col} with W filters×(channels·size·size) in Darknet's layout.
 *
 * <p>It works on rectangles: the output rectangle {@code out} reads {@link #inputRegion(Rect)} of the
 * input, and an input position outside the true map [0,H)×[0,W) is zero padding; so a tile pads only
 * where it touches the map border, and a whole-map rectangle is Darknet's convolution.
 *
 * <p>The im2col matrix is built a band of output rows at a time ({@link #bandRows}) in a per-thread
 * {@link Scratch} array: memory stays bounded on small devices whatever the layer, a band stays in cache
 * between im2col and its GEMM, and it is still wide enough for the GEMM to run near peak. A batch is one
 * GEMM per image and band: no wider GEMM is needed (see {@link #MIN_COLUMNS}). A 1×1, stride-1, unpadded
 * layer reads its input in place when the input rows span exactly the output's width (always so untiled).
 */
public final class Convolution implements Layer {
    /**
     * Floats of im2col per band (2 MiB, about the L2 cache), unless that is fewer than {@link #MIN_COLUMNS}
     * output positions. Measured by thread CPU time on YOLOv2 shapes at 416²: 512K-float bands ran layer 0
     * (3→32, 416²) 1.3× and layer 2 (32→64, 208²) 1.1× faster than 2M-float or whole-map im2col, and the
     * per-thread array ran layer 0 1.3× faster than a fresh array per call.
     */
    static final int COLUMN_BUDGET = 1 << 19;
    /**
     * Fewest output positions per band: OpenBLAS keeps 80–100 GFLOP/s down to about 50 columns on the deep
     * layers' shapes (512×2304 weights) and loses about 15% below 200 columns against 208 and more.
     */
    static final int MIN_COLUMNS = 256;

    private final Shape in;
    private final Shape out;
    private final int size;
    private final int stride;
    private final int padding;
    /** Rows of the im2col matrix: channels·size·size. */
    private final int patch;
    private final Param weights;
    private final Gemm gemm = Gemm.standard();

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
        for (int b = 0; b < x.n; b++) {
            int yOff = b * filters * area;
            overBands(x, b, o, true, (col, colOff, ld, columns, at) -> gemm.sgemm(false, false, filters, columns, patch,
                    1, weights.value, 0, patch, col, colOff, ld, 0, y.data, yOff + at, area));
        }
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

    /** Adds dLoss/dW = Σ over images of dY·colᵀ into {@code grad}; x must cover inputRegion(dy.rect). */
    public void weightGradient(Tensor x, Tensor dy, float[] grad) {
        Rect o = dy.rect;
        check(x, o);
        checkGradient(dy, x.n);
        int filters = out.c(), area = o.area();
        for (int b = 0; b < x.n; b++) {
            int dyOff = b * filters * area;
            overBands(x, b, o, true, (col, colOff, ld, columns, at) -> gemm.sgemm(false, true, filters, patch, columns,
                    1, dy.data, dyOff + at, area, col, colOff, ld, 1, grad, 0, patch));
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
        for (int b = 0; b < dy.n; b++) {
            int dyOff = b * filters * area;
            overBands(dx, b, o, false, (col, colOff, ld, columns, at) -> gemm.sgemm(true, false, patch, columns, filters,
                    1, weights.value, 0, patch, dy.data, dyOff + at, area, 0, col, colOff, ld));
        }
        return dx;
    }

    /** A product over one band's im2col matrix: patch × columns at col[colOff] with leading dimension ld. */
    private interface BandProduct {
        /** {@code at}: where the band's first column sits among the output rectangle's positions. */
        void run(float[] col, int colOff, int ld, int columns, int at);
    }

    /**
     * Runs {@code product} on the im2col matrix of image {@code b} of {@code x} for output rectangle o, one
     * band of output rows at a time. With {@code read} the band is filled from x before; otherwise the
     * product fills it and it is added back into x after (col2im). The in-place case is one band over x.
     */
    private void overBands(Tensor x, int b, Rect o, boolean read, BandProduct product) {
        if (readsInPlace(x.rect, o)) {
            product.run(x.data, x.index(b, 0, o.y1(), o.x1()), x.h() * x.w(), o.area(), 0);
            return;
        }
        int rows = bandRows(patch, o.width(), o.height());
        float[] col = Scratch.floats(scratchFloats(x.rect, o));
        // col2im adds through a copy at x's own indices (see addColumns); any array as long as x serves.
        float[] staging = read || stride != 1 ? null : new float[x.data.length];
        for (int oy = o.y1(); oy <= o.y2(); oy += rows) {
            int last = Math.min(oy + rows - 1, o.y2()), columns = (last - oy + 1) * o.width();
            if (read) {
                transfer(x, b, o, oy, last, col, true, null);
            }
            product.run(col, 0, columns, columns, (oy - o.y1()) * o.width());
            if (!read) {
                transfer(x, b, o, oy, last, col, false, staging);
            }
        }
    }

    /**
     * Between image {@code b} of {@code x} and the im2col matrix of output rows {@code oyFrom..oyTo} of
     * {@code o} (row (c,ky,kx), column (oy,ox)): fills {@code col} (padding as 0) when {@code toColumns},
     * else adds {@code col} into x (padding dropped; {@code staging} as in {@link #addColumns}). Each kernel
     * offset kx has one contiguous run of output columns that lands inside the map, so the inner loops are
     * plain copies or strided adds.
     */
    private void transfer(Tensor x, int b, Rect o, int oyFrom, int oyTo, float[] col, boolean toColumns, float[] staging) {
        int xw = x.w(), plane = x.h() * xw, ow = o.width(), d = 0;
        for (int ch = 0; ch < in.c(); ch++) {
            int base = (b * x.c + ch) * plane;
            for (int ky = 0; ky < size; ky++) {
                for (int kx = 0; kx < size; kx++) {
                    // Output column j reads input column (o.x1 + j)·stride − padding + kx; [lo, hi] stay in the map.
                    int first = o.x1() * stride - padding + kx;
                    int lo = Math.max(0, -Math.floorDiv(first, stride));
                    int hi = Math.min(ow - 1, Math.floorDiv(in.w() - 1 - first, stride));
                    int column = first - x.rect.x1();
                    for (int oy = oyFrom; oy <= oyTo; oy++, d += ow) {
                        int iy = oy * stride - padding + ky;
                        boolean inside = iy >= 0 && iy < in.h() && lo <= hi;
                        int s = base + (iy - x.rect.y1()) * xw + column;
                        if (toColumns) {
                            fillColumns(inside, x.data, s, col, d, ow, lo, hi);
                        } else if (inside) {
                            addColumns(x.data, s, col, d, lo, hi, staging);
                        }
                    }
                }
            }
        }
    }

    /**
     * x[s + j·stride] += col[d + j] for j in [lo, hi]. With stride 1 the segment is first copied into
     * {@code staging} at x's own indices and added from there: C2 (Java 17) vectorizes a loop only when all its
     * arrays share one index, and this add runs once per im2col element (measured on YOLOv2 layer 2 at 416²:
     * col2im 8.3 → 3.7 ms of its 26 ms input gradient).
     */
    private void addColumns(float[] x, int s, float[] col, int d, int lo, int hi, float[] staging) {
        if (stride != 1) {
            for (int j = lo; j <= hi; j++) {
                x[s + j * stride] += col[d + j];
            }
            return;
        }
        System.arraycopy(col, d + lo, staging, s + lo, hi - lo + 1);
        for (int i = s + lo, end = s + hi; i <= end; i++) {
            x[i] += staging[i];
        }
    }

    /** One im2col row segment of {@code ow} columns: x[src + j·stride] for j in [lo, hi], 0 elsewhere. */
    private void fillColumns(boolean inside, float[] x, int src, float[] col, int d, int ow, int lo, int hi) {
        if (!inside) {
            Arrays.fill(col, d, d + ow, 0f);
            return;
        }
        Arrays.fill(col, d, d + lo, 0f);
        if (stride == 1) {
            System.arraycopy(x, src + lo, col, d + lo, hi - lo + 1);
        } else {
            for (int j = lo; j <= hi; j++) {
                col[d + j] = x[src + j * stride];
            }
        }
        Arrays.fill(col, d + hi + 1, d + ow, 0f);
    }

    /**
     * A 1×1/1 unpadded layer whose input rows are exactly the output's: the input is its own im2col, a
     * channels × o.area() matrix whose leading dimension is one channel plane.
     */
    private boolean readsInPlace(Rect xRect, Rect o) {
        return size == 1 && stride == 1 && padding == 0 && xRect.x1() == o.x1() && xRect.x2() == o.x2();
    }

    /**
     * Floats of the per-thread im2col array that a product over output {@code o} from an input (or input
     * gradient) over {@code xRect} needs: 0 when the layer reads its input in place. The array stays with the
     * thread after the call, so a memory model counts the largest one once per thread.
     */
    public int scratchFloats(Rect xRect, Rect o) {
        return readsInPlace(xRect, o) ? 0 : patch * bandRows(patch, o.width(), o.height()) * o.width();
    }

    /** Output rows per im2col band, for a rectangle of {@code width} × {@code height} and this patch size. */
    static int bandRows(int patch, int width, int height) {
        int rows = Math.max(COLUMN_BUDGET / (patch * width), (MIN_COLUMNS + width - 1) / width);
        return Math.max(1, Math.min(height, rows));
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
