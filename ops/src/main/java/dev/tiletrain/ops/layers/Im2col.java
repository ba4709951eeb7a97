package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.gemm.Gemm;
import dev.tiletrain.ops.parallel.ComputeThreads;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
 * untiled). The compute threads work on whole bands where there are enough, else on one band together
 * (see {@link #overBands}).
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
        /**
         * {@code b}: the image; {@code at}: where the band's first column sits among the output rectangle's
         * positions; {@code gemm}: the engine to multiply with; {@code part}: which part of {@link #overBands}
         * runs it, 0 to the compute threads' count − 1.
         */
        void run(int b, float[] col, int colOff, int ld, int columns, int at, Gemm gemm, int part);
    }

    /** Output rows {@code o.y1() + offset} to {@code + rows − 1} (or to o's end) of image {@code image}. */
    private record Band(int image, int offset, int rows) {}

    /**
     * The bands of {@code n} images for output o, per part. One part: image by image, bands of
     * {@link #bandRows} (the in-place case: whole images). Several parts, one per compute thread, when there
     * are at least two such bands per thread: the n·height output rows cut into equal runs, one per part,
     * each run cut at image ends and into bands of at most bandRows. col2im scatters the parts' bands at once,
     * so bands that can meet must read no input row in common: a part's last band and the next part's second
     * band (its first is scattered after, see {@link #overBands}) lie at least {@code rows + 1} output rows
     * apart when the second lies in the same image, and rows r and r + rows + 1 read disjoint input rows
     * when {@code size ≤ (rows + 1)·stride}; otherwise one part.
     */
    private List<List<Band>> plan(int n, Rect xRect, Rect o) {
        int h = o.height(), rows = readsInPlace(xRect, o) ? h : bandRows(patch, o.width(), h);
        int threads = ComputeThreads.get(), perImage = (h + rows - 1) / rows;
        int parts = threads > 1 && n * perImage >= 2 * threads && size <= (rows + 1) * stride ? threads : 1;
        List<List<Band>> plan = new ArrayList<>();
        long total = (long) n * h;
        for (int p = 0; p < parts; p++) {
            List<Band> bands = new ArrayList<>();
            for (long at = total * p / parts, end = total * (p + 1) / parts; at < end; ) {
                int image = (int) (at / h), offset = (int) (at % h);
                int length = (int) Math.min(Math.min(rows, h - offset), end - at);
                bands.add(new Band(image, offset, length));
                at += length;
            }
            plan.add(bands);
        }
        return plan;
    }

    /**
     * Runs {@code product} on the matrix of every image of x for output rectangle o, one band of output rows
     * at a time. With {@code read} each band is filled from x before (im2col); otherwise the product fills
     * it and it is added back into x after (col2im). In the in-place case the product reads or writes x.
     *
     * <p>With several parts ({@link #plan}), each part runs on one compute thread, which fills, multiplies (by the
     * unsplit engine) and scatters each of its bands itself: the band stays in that core's cache, and a call
     * joins once instead of twice per band. A part's first band that starts inside an image adds into input
     * rows the previous part's last band adds into too: its matrix is kept in an array of its own and scattered
     * by the caller after the join. The order of the additions into x is fixed for a thread count, and may
     * differ from one thread's in the last bits ({@code ComputeThreadsTest}). With one part, band by band, the
     * fill and the scatter split by channel and the GEMM by {@link Gemm#standard()}.
     */
    void overBands(Tensor x, Rect o, boolean read, BandProduct product) {
        List<List<Band>> plan = plan(x.n, x.rect, o);
        boolean inPlace = readsInPlace(x.rect, o);
        // col2im adds through a copy at x's own indices (see addColumns); any array as long as x serves.
        float[] staging = read || stride != 1 || inPlace ? null : new float[x.data.length];
        int floats = scratchFloats(x.rect, o);
        if (plan.size() == 1) {
            for (Band band : plan.get(0)) {
                float[] col = inPlace ? null : Scratch.floats(floats);
                overBand(x, o, band, col, read, true, staging, true, Gemm.standard(), 0, product);
            }
            return;
        }
        float[][] seams = new float[plan.size()][];
        ComputeThreads.split(plan.size(), 1, (first, last) -> {
            for (int part = first; part < last; part++) {
                List<Band> bands = plan.get(part);
                for (int i = 0; i < bands.size(); i++) {
                    Band band = bands.get(i);
                    boolean seam = !read && !inPlace && i == 0 && band.offset() > 0;
                    float[] col = inPlace ? null : seam ? new float[floats] : Scratch.floats(floats);
                    if (seam) {
                        seams[part] = col;
                    }
                    overBand(x, o, band, col, read, !seam, staging, false, Gemm.unsplit(), part, product);
                }
            }
        });
        for (int part = 1; part < plan.size(); part++) {
            if (seams[part] != null) {
                Band band = plan.get(part).get(0);
                int first = o.y1() + band.offset();
                transfer(x, band.image(), o, first, first + band.rows() - 1, seams[part], false, staging, true);
            }
        }
    }

    /**
     * One band of x for output o: in the in-place case the product on x itself; else fill {@code col} (read),
     * product, and scatter col into x (not read, when {@code scatter}); fill and scatter split by channel when
     * {@code split}.
     */
    private void overBand(Tensor x, Rect o, Band band, float[] col, boolean read, boolean scatter, float[] staging, boolean split,
                          Gemm gemm, int part, BandProduct product) {
        int first = o.y1() + band.offset(), last = first + band.rows() - 1, columns = band.rows() * o.width();
        int at = band.offset() * o.width();
        if (col == null) {
            product.run(band.image(), x.data, x.index(band.image(), 0, first, o.x1()), x.h() * x.w(), columns, at, gemm, part);
            return;
        }
        if (read) {
            transfer(x, band.image(), o, first, last, col, true, null, split);
        }
        product.run(band.image(), col, 0, columns, columns, at, gemm, part);
        if (!read && scatter) {
            transfer(x, band.image(), o, first, last, col, false, staging, split);
        }
    }

    /** {@link #transfer} over every channel, split among the compute threads by channel when {@code split}. */
    private void transfer(Tensor x, int b, Rect o, int oyFrom, int oyTo, float[] col, boolean toColumns, float[] staging,
                          boolean split) {
        if (split) {
            ComputeThreads.split(in.c(), 1, (from, to) -> transfer(x, b, o, oyFrom, oyTo, col, toColumns, staging, from, to));
        } else {
            transfer(x, b, o, oyFrom, oyTo, col, toColumns, staging, 0, in.c());
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
