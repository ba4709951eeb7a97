package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.parallel.ComputeThreads;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;

/**
 * Darknet's {@code [maxpool]}: output size {@code (w + padding − size)/stride + 1}, window origin
 * {@code j·stride − padding/2}, positions outside the map ignored (Darknet reads them as −FLT_MAX). The cfg
 * default padding is {@code size − 1}; the parser resolves it before calling here. With tiny-YOLO's
 * {@code size=2 stride=1} that keeps 13 → 13, its last window hanging over the right and bottom border.
 *
 * <p>The backward routes each output's gradient to its window's argmax, the first maximum in Darknet's
 * scan order (rows outer, columns inner, strict {@code >}). The argmax is found again from {@code x} and the
 * window's maximum in the forward's output {@code y} rather than stored, so the layer holds no state between
 * forward and backward; windows inside the map take a path without bounds checks, which is what an untiled
 * YOLOv2 pool consists of. A window whose values
 * are all NaN or ≤ −FLT_MAX has no argmax (Darknet would write to index −1) and sends no gradient.
 */
public final class MaxPool implements Layer {
    private final Shape in;
    private final Shape out;
    private final int size;
    private final int stride;
    private final int padding;
    /** Where window 0 starts: Darknet's {@code w_offset = h_offset = −pad/2}. */
    private final int offset;

    public MaxPool(Shape in, int size, int stride, int padding) {
        if (size < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("maxpool needs size ≥ 1, stride ≥ 1, padding ≥ 0, got size " + size
                    + " stride " + stride + " padding " + padding);
        }
        if (in.w() + padding < size || in.h() + padding < size) {
            throw new IllegalArgumentException("maxpool " + size + "x" + size + " with padding " + padding
                    + " does not fit the " + in + " input");
        }
        this.in = in;
        this.size = size;
        this.stride = stride;
        this.padding = padding;
        this.offset = -padding / 2;
        this.out = new Shape(in.c(), (in.h() + padding - size) / stride + 1, (in.w() + padding - size) / stride + 1);
        // Every window must meet the map; otherwise Darknet's argmax is −1 and its backward writes out of bounds.
        if (offset + size - 1 < 0 || (out.w() - 1) * stride + offset > in.w() - 1
                || (out.h() - 1) * stride + offset > in.h() - 1) {
            throw new IllegalArgumentException("maxpool " + size + "x" + size + "/" + stride + " padding " + padding
                    + " on " + in + " has windows entirely outside the map");
        }
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
        if (!out.full().contains(o)) {
            throw new IllegalArgumentException(describe() + ": " + o + " is not inside the output map " + out.full());
        }
        return new Rect(Math.max(o.x1() * stride + offset, 0), Math.max(o.y1() * stride + offset, 0),
                Math.min(o.x2() * stride + offset + size - 1, in.w() - 1),
                Math.min(o.y2() * stride + offset + size - 1, in.h() - 1));
    }

    @Override
    public Tensor forward(Tensor x, Rect o, Pass pass) {
        requireCovers(x, o);
        Tensor y = Tensor.zeros(x.n, in.c(), o);
        ComputeThreads.split(x.n * in.c(), ComputeThreads.grain(x.h() * x.w()), (first, last) -> {
            for (int p = first; p < last; p++) {
                int b = p / in.c(), ch = p % in.c();
                for (int oy = o.y1(); oy <= o.y2(); oy++) {
                    int d = y.index(b, ch, oy, o.x1()) - o.x1();
                    int lo = insideFrom(o), hi = insideTo(oy, o);
                    for (int ox = o.x1(); ox <= o.x2(); ox++) {
                        if (ox == lo && lo <= hi) {
                            maxRow(x.data, x.index(b, ch, oy * stride + offset, lo * stride + offset), hi - lo + 1, x.w(),
                                    y.data, d + lo);
                            ox = hi;
                            continue;
                        }
                        int i = argmax(x, b, ch, oy, ox);
                        y.data[d + ox] = i < 0 ? -Float.MAX_VALUE : x.data[i];
                    }
                }
            }
        });
        return y;
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        Rect o = dy.rect;
        requireCovers(x, o);
        if (dy.c != in.c() || dy.n != x.n) {
            throw new IllegalArgumentException(describe() + ": gradient of " + dy.n + "x" + dy.c + " for an input of "
                    + x.n + "x" + x.c);
        }
        if (y.c != dy.c || y.n != dy.n || !y.rect.contains(o)) {
            throw new IllegalArgumentException(describe() + ": output " + y.n + "x" + y.c + " over " + y.rect
                    + " does not cover the gradient's " + dy.n + "x" + dy.c + " over " + o);
        }
        Tensor dx = Tensor.zeros(x.n, in.c(), x.rect);
        ComputeThreads.split(x.n * in.c(), ComputeThreads.grain(x.h() * x.w()), (first, last) -> {
            for (int p = first; p < last; p++) {
                int b = p / in.c(), ch = p % in.c();
                for (int oy = o.y1(); oy <= o.y2(); oy++) {
                    int d = dy.index(b, ch, oy, o.x1()) - o.x1(), m = y.index(b, ch, oy, o.x1()) - o.x1();
                    int lo = insideFrom(o), hi = insideTo(oy, o);
                    for (int ox = o.x1(); ox <= o.x2(); ox++) {
                        if (ox == lo && lo <= hi) {
                            routeRow(x.data, x.index(b, ch, oy * stride + offset, lo * stride + offset), hi - lo + 1, x.w(),
                                    y.data, m + lo, dy.data, d + lo, dx.data);
                            ox = hi;
                            continue;
                        }
                        int i = argmax(x, b, ch, oy, ox);
                        if (i >= 0) {
                            dx.data[i] += dy.data[d + ox];
                        }
                    }
                }
            }
        });
        return dx;
    }

    /** The first output column of {@code o} whose window can lie inside the map (see {@link #insideTo}). */
    private int insideFrom(Rect o) {
        return Math.max(o.x1(), firstInside());
    }

    /**
     * The last output column of row {@code oy} of {@code o} whose window lies inside the map; below
     * {@link #insideFrom} when the row has none. Such windows lie inside x too, which covers inputRegion(o).
     */
    private int insideTo(int oy, Rect o) {
        boolean rowInside = oy >= firstInside() && oy * stride + offset + size - 1 <= in.h() - 1;
        return rowInside ? Math.min(o.x2(), Math.floorDiv(in.w() - size - offset, stride)) : Integer.MIN_VALUE;
    }

    /** The first output index (along either axis) whose window starts inside the map. */
    private int firstInside() {
        return (-offset + stride - 1) / stride;
    }

    /**
     * Maxima of {@code count} windows inside the map, the first at {@code x[i]}, the next {@code stride}
     * further, into {@code y[d..]}: the values at {@link #argmaxInside}, found for 2×2 windows by
     * {@link #max2} wherever that is the same value ({@link #plain}).
     */
    private void maxRow(float[] x, int i, int count, int xw, float[] y, int d) {
        for (int k = 0; k < count; k++, i += stride) {
            float m = size == 2 ? max2(x, i, xw) : Float.NaN;
            if (!plain(m)) {
                int best = argmaxInside(x, i, xw);
                m = best < 0 ? -Float.MAX_VALUE : x[best];
            }
            y[d + k] = m;
        }
    }

    /**
     * Adds the gradients {@code dy[d..]} of the windows of {@link #maxRow} into dx at each window's argmax,
     * found from the window's maximum as the forward left it in {@code y[m..]} (a plain 2×2 maximum need not
     * be searched for again).
     */
    private void routeRow(float[] x, int i, int count, int xw, float[] y, int m0, float[] dy, int d, float[] dx) {
        for (int k = 0; k < count; k++, i += stride) {
            float g = dy[d + k];
            float m = size == 2 ? y[m0 + k] : Float.NaN;
            if (plain(m)) {
                // The first position holding m: nothing before it is greater, so it is the strict-> argmax
                // (NaN, which the scan skips, is never equal to m).
                int bm = Float.floatToRawIntBits(m);
                int ea = same(Float.floatToRawIntBits(x[i]), bm), eb = same(Float.floatToRawIntBits(x[i + 1]), bm);
                int ec = same(Float.floatToRawIntBits(x[i + xw]), bm);
                int off = (1 - ea) * (eb + (1 - eb) * (xw + 1 - ec));
                dx[i + off] += g;
            } else {
                int best = argmaxInside(x, i, xw);
                if (best >= 0) {
                    dx[best] += g;
                }
            }
        }
    }

    /** 1 when the ints are equal, else 0, without a branch. */
    private static int same(int a, int b) {
        int d = a ^ b;
        return ((d | -d) >>> 31) ^ 1;
    }

    /**
     * The maximum of the 2×2 window at {@code x[i]} by {@link Math#max}, which compiles branch-free (the
     * strict-{@code >} scan mispredicts about one branch per window on real data: 5× slower).
     */
    private static float max2(float[] x, int i, int xw) {
        return Math.max(Math.max(x[i], x[i + 1]), Math.max(x[i + xw], x[i + xw + 1]));
    }

    /**
     * True when a window's {@link Math#max} is also the strict-{@code >} scan's maximum: it is not NaN (the
     * scan skips NaN, Math.max returns it), not a zero (the scan keeps the first zero's sign, Math.max
     * prefers +0), and above the scan's start −FLT_MAX.
     */
    private static boolean plain(float m) {
        return m > -Float.MAX_VALUE && m != 0;
    }

    /** {@link #argmax} of the window at {@code x[i]}, which lies inside the map, without bounds checks. */
    private int argmaxInside(float[] x, int i, int xw) {
        float max = -Float.MAX_VALUE;
        int best = -1;
        for (int r = i, end = i + size * xw; r < end; r += xw) {
            for (int j = r; j < r + size; j++) {
                if (x[j] > max) {
                    max = x[j];
                    best = j;
                }
            }
        }
        return best;
    }

    /** Index in {@code x.data} of the window's first maximum in Darknet's scan order, or −1 if none. */
    private int argmax(Tensor x, int b, int ch, int oy, int ox) {
        float max = -Float.MAX_VALUE;
        int best = -1;
        int y0 = oy * stride + offset, x0 = ox * stride + offset;
        for (int cy = y0; cy < y0 + size; cy++) {
            if (cy < 0 || cy >= in.h()) {
                continue;
            }
            for (int cx = x0; cx < x0 + size; cx++) {
                if (cx < 0 || cx >= in.w()) {
                    continue;
                }
                int i = x.index(b, ch, cy, cx);
                if (x.data[i] > max) {
                    max = x.data[i];
                    best = i;
                }
            }
        }
        return best;
    }

    private void requireCovers(Tensor x, Rect o) {
        Rect need = inputRegion(o);
        if (x.c != in.c() || !x.rect.contains(need)) {
            throw new IllegalArgumentException(describe() + ": output " + o + " reads input " + need + " of "
                    + in.c() + " channels, got " + x.c + " channels over " + x.rect);
        }
    }

    @Override
    public String describe() {
        return "maxpool " + size + "x" + size + "/" + stride + " pad " + padding;
    }
}
