package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.parallel.ComputeThreads;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Arrays;

/**
 * Darknet's im2col and col2im for one convolution geometry, on rectangles: row (c,ky,kx) and column
 * (oy,ox) of the matrix hold input position (oy·stride − padding + ky, ox·stride − padding + kx) of
 * channel c, and a position outside the true map [0,H)×[0,W) is zero padding, so a tile pads only where
 * it touches the map border.
 *
 * <p>The matrix is built a band of output rows at a time ({@link #bandRows}) in a per-thread
 * {@link Scratch} array: memory stays bounded on small devices whatever the layer, a band stays in cache
 * between im2col and its GEMM, and it is still wide enough for the GEMM to run near peak. A 1×1, stride-1,
 * unpadded layer reads its input in place when the input rows span exactly the output's width (always so
 * untiled). Filling and scattering a band split over {@link ComputeThreads} by channel: each channel's rows
 * of the matrix come from, and go back to, that channel's plane only.
 */
final class Im2col {
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
    private final int size;
    private final int stride;
    private final int padding;
    /** Rows of the matrix: channels·size·size. */
    private final int patch;

    Im2col(Shape in, int size, int stride, int padding) {
        this.in = in;
        this.size = size;
        this.stride = stride;
        this.padding = padding;
        this.patch = in.c() * size * size;
    }

    /** A product over one band's matrix: patch × columns at col[colOff] with leading dimension ld. */
    interface BandProduct {
        /** {@code at}: where the band's first column sits among the output rectangle's positions. */
        void run(float[] col, int colOff, int ld, int columns, int at);
    }

    /**
     * Runs {@code product} on the matrix of image {@code b} of {@code x} for output rectangle o, one band of
     * output rows at a time. With {@code read} the band is filled from x before (im2col); otherwise the
     * product fills it and it is added back into x after (col2im). The in-place case is one band over x.
     */
    void overBands(Tensor x, int b, Rect o, boolean read, BandProduct product) {
        if (readsInPlace(x.rect, o)) {
            product.run(x.data, x.index(b, 0, o.y1(), o.x1()), x.h() * x.w(), o.area(), 0);
            return;
        }
        int rows = bandRows(patch, o.width(), o.height());
        float[] col = Scratch.floats(scratchFloats(x.rect, o));
        // col2im adds through a copy at x's own indices (see addColumns); any array as long as x serves.
        float[] staging = read || stride != 1 ? null : new float[x.data.length];
        for (int oy = o.y1(); oy <= o.y2(); oy += rows) {
            int first = oy, last = Math.min(oy + rows - 1, o.y2()), columns = (last - oy + 1) * o.width();
            if (read) {
                ComputeThreads.split(in.c(), 1, (from, to) -> transfer(x, b, o, first, last, col, true, null, from, to));
            }
            product.run(col, 0, columns, columns, (oy - o.y1()) * o.width());
            if (!read) {
                ComputeThreads.split(in.c(), 1, (from, to) -> transfer(x, b, o, first, last, col, false, staging, from, to));
            }
        }
    }

    /**
     * Between channels {@code chFrom..chTo−1} of image {@code b} of {@code x} and their rows of the matrix of
     * output rows {@code oyFrom..oyTo} of {@code o}: fills {@code col} (padding as 0) when {@code toColumns},
     * else adds {@code col} into x (padding dropped; {@code staging} as in {@link #addColumns}). Each kernel
     * offset kx has one contiguous run of output columns that lands inside the map, so the inner loops are
     * plain copies or strided adds.
     */
    private void transfer(Tensor x, int b, Rect o, int oyFrom, int oyTo, float[] col, boolean toColumns, float[] staging,
                          int chFrom, int chTo) {
        int xw = x.w(), plane = x.h() * xw, ow = o.width(), d = chFrom * size * size * (oyTo - oyFrom + 1) * ow;
        for (int ch = chFrom; ch < chTo; ch++) {
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
     * arrays share one index, and this add runs once per im2col element (it more than halved col2im's time on
     * YOLOv2's layer 2).
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

    /** One matrix row segment of {@code ow} columns: x[src + j·stride] for j in [lo, hi], 0 elsewhere. */
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

    /** Floats of the per-thread array for output {@code o} over {@code xRect}: 0 when read in place. */
    int scratchFloats(Rect xRect, Rect o) {
        return readsInPlace(xRect, o) ? 0 : patch * bandRows(patch, o.width(), o.height()) * o.width();
    }

    /** Output rows per band, for a rectangle of {@code width} × {@code height} and this patch size. */
    static int bandRows(int patch, int width, int height) {
        int rows = Math.max(COLUMN_BUDGET / (patch * width), (MIN_COLUMNS + width - 1) / width);
        return Math.max(1, Math.min(height, rows));
    }
}
