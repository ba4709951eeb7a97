package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.gemm.Gemm;
import dev.tiletrain.ops.parallel.ComputeThreads;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A 3×3, stride-1 correlation by Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2016): each 2×2 block of outputs comes from a 4×4 block of inputs through 16
 * products instead of 36, so the convolution's GEMM work falls 2.25×: 16 GEMMs of (out × in channels)·(in
 * channels × blocks) instead of one of (out × 9·in)·(9·in × positions).
 *
 * <p>It computes {@code y[k, p] = Σ_c Σ_{t} w[k, c, t]·x[c, p − offset + t]} over y's rectangle, where x is zero
 * outside its own rectangle. With {@code offset} = the layer's padding that is the forward (x covers the
 * input region, outside the true map is padding); with the filters turned by 180°, channels swapped and
 * {@code offset} = 2 − padding it is the input gradient (dy is zero outside the output rectangle it covers).
 * Every output belongs to one block, so a block's last row or column past y's rectangle is computed and
 * dropped: its inputs never reach the kept outputs (F(2,3)'s transforms keep input row 3 out of output row 0),
 * so reading them as zero changes nothing.
 *
 * <p>Blocks are transformed a band of block rows at a time into a per-thread {@link Scratch} array (inputs V
 * and products M, 16·(in + out channels) floats per block). The compute threads take whole bands when there
 * are at least two per thread, else share each band: the transforms by channel, the 16 GEMMs among them.
 * Each output is written by one thread from the same sums whatever the thread count.
 */
final class Winograd {
    /** Floats of V and M per band (4 MiB), unless that is fewer than {@link #MIN_BLOCKS} blocks. */
    static final int BAND_BUDGET = 1 << 20;
    /** Fewest blocks (GEMM columns) per band: below about 64 columns the 16 small GEMMs lose their speed. */
    static final int MIN_BLOCKS = 64;

    private Winograd() {
    }

    /**
     * The transformed filters G·g·Gᵀ of Darknet's weights {@code w} (out × in × 3 × 3), laid out [16][out][in]:
     * plane e = 4r + s is an out × in matrix. G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]. Per filter, the nine taps of
     * all input channels are first laid out one array per tap, so that every step below is a loop over channels.
     */
    static float[] filters(float[] w, int out, int in) {
        float[] u = new float[16 * out * in];
        int plane = out * in;
        ComputeThreads.split(out, ComputeThreads.grain(25 * in), (from, to) -> {
            // One array per tap and per computed row of a and plane of u, so that each loop below runs over
            // arrays of its own (C2 vectorizes those); G's first and last rows copy, so their arrays are reused.
            float[][] g = new float[9][in], a = new float[12][], p = new float[16][];
            float[][] aMid = new float[6][in], pMid = new float[8][in];
            for (int col = 0; col < 3; col++) {
                a[col] = g[col];
                a[3 + col] = aMid[col];
                a[6 + col] = aMid[3 + col];
                a[9 + col] = g[6 + col];
            }
            for (int r = 0; r < 4; r++) {
                p[4 * r] = a[3 * r];
                p[4 * r + 1] = pMid[2 * r];
                p[4 * r + 2] = pMid[2 * r + 1];
                p[4 * r + 3] = a[3 * r + 2];
            }
            for (int k = from; k < to; k++) {
                for (int t = 0; t < 9; t++) {
                    float[] gt = g[t];
                    for (int c = 0, i = k * in * 9 + t; c < in; c++, i += 9) {
                        gt[c] = w[i];
                    }
                }
                // a = G·g: rows 1 and 2 of each column of taps; then u = a·Gᵀ: columns 1 and 2 of each row of a.
                for (int col = 0; col < 3; col++) {
                    lift(g[col], g[3 + col], g[6 + col], a[3 + col], a[6 + col], in);
                }
                for (int r = 0; r < 4; r++) {
                    lift(a[3 * r], a[3 * r + 1], a[3 * r + 2], p[4 * r + 1], p[4 * r + 2], in);
                }
                for (int e = 0; e < 16; e++) {
                    System.arraycopy(p[e], 0, u, e * plane + k * in, in);
                }
            }
        });
        return u;
    }

    /** The middle rows of G applied per element: y1 = (x0 + x1 + x2)/2, y2 = (x0 − x1 + x2)/2. */
    private static void lift(float[] x0, float[] x1, float[] x2, float[] y1, float[] y2, int n) {
        for (int c = 0; c < n; c++) {
            y1[c] = (x0[c] + x1[c] + x2[c]) * .5f;
            y2[c] = (x0[c] - x1[c] + x2[c]) * .5f;
        }
    }

    /**
     * How an output rectangle's 2×2 blocks are cut into bands for {@code channels} in + out channels: blocks a row,
     * block rows, block rows per band and bands per image.
     */
    private record Bands(int perRow, int blockRows, int rows, int count) {
        static Bands of(int channels, Rect o) {
            int perRow = (o.width() + 1) / 2, blockRows = (o.height() + 1) / 2;
            int fewest = (MIN_BLOCKS + perRow - 1) / perRow;
            int rows = Math.max(1, Math.min(blockRows, Math.max(BAND_BUDGET / (16 * channels * perRow), fewest)));
            return new Bands(perRow, blockRows, rows, (blockRows + rows - 1) / rows);
        }
    }

    /** Floats of the per-thread array for an output rectangle {@code o} and in + out {@code channels}. */
    static int scratchFloats(int channels, Rect o) {
        Bands bands = Bands.of(channels, o);
        return 16 * channels * bands.perRow() * bands.rows();
    }

    /**
     * Writes every element of {@code y} ({@code out} channels over its rectangle): the correlation of {@code x}
     * ({@code in} channels, zero outside its rectangle) with the filters {@code u} of {@link #filters}. With
     * {@code turned}, u holds the filters of the layer whose input gradient this is (in × out, [16][in][out]),
     * and the correlation uses them turned by 180° with the channels swapped: G·(g turned)·Gᵀ is G·g·Gᵀ with
     * its rows and columns 0 and 3 swapped (G's rows 0 and 3 swap when g's taps reverse), so plane
     * {@link #TURNED}[e] of u, transposed in the GEMM, is plane e of the turned filters.
     */
    static void correlate(float[] u, boolean turned, int out, int in, Tensor x, int offset, Tensor y) {
        Bands b = Bands.of(in + out, y.rect);
        int rows = b.rows(), bands = b.count(), blockRows = b.blockRows();
        int items = x.n * bands, threads = ComputeThreads.get();
        Geometry geo = new Geometry(u, turned, out, in, x, offset, y, b.perRow(), rows);
        if (threads > 1 && items >= 2 * threads) {
            ComputeThreads.split(items, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    geo.band(i / bands, (i % bands) * rows, blockRows, false);
                }
            });
        } else {
            for (int i = 0; i < items; i++) {
                geo.band(i / bands, (i % bands) * rows, blockRows, threads > 1);
            }
        }
    }

    /**
     * Adds dLoss/dW = Σ over images and positions of dy[k, p]·x[c, p − offset + t] into {@code grad} (Darknet's
     * out × in × 3 × 3): the forward y = Aᵀ·(U ⊙ V)·A differentiated in the transformed domain. Per band, dU[e]
     * += (A·dy·Aᵀ)[e]·V[e]ᵀ, 16 GEMMs of (out × blocks)·(blocks × in); then dW = Gᵀ·dU·G once. The parts of the
     * bands that run on other compute threads sum into arrays of their own, added after in part order (so the sum's
     * order depends on the thread count, not on timing). x must cover what dy's outputs read, as in the forward.
     */
    static void weightGradient(Tensor x, Tensor dy, int offset, float[] grad) {
        int out = dy.c, in = x.c;
        Bands b = Bands.of(in + out, dy.rect);
        int rows = b.rows(), bands = b.count(), blockRows = b.blockRows();
        int items = x.n * bands, threads = ComputeThreads.get();
        Geometry geo = new Geometry(null, false, out, in, x, offset, dy, b.perRow(), rows);
        float[] sum;
        if (threads > 1 && items >= 2 * threads) {
            // Keyed by the part's first band: the parts' order.
            Map<Integer, float[]> parts = new TreeMap<>();
            ComputeThreads.split(items, 1, (from, to) -> {
                float[] part = new float[16 * out * in];
                for (int i = from; i < to; i++) {
                    geo.gradientBand(part, i / bands, (i % bands) * rows, blockRows, false);
                }
                synchronized (parts) {
                    parts.put(from, part);
                }
            });
            sum = null;
            for (float[] part : parts.values()) {
                if (sum == null) {
                    sum = part;
                } else {
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += part[i];
                    }
                }
            }
        } else {
            sum = new float[16 * out * in];
            for (int i = 0; i < items; i++) {
                geo.gradientBand(sum, i / bands, (i % bands) * rows, blockRows, threads > 1);
            }
        }
        untransform(sum, out, in, grad);
    }

    /**
     * grad[k][c] += Gᵀ·dU[k][c]·G for the transformed gradient {@code du} ([16][out][in]), Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0;
     * 0 ½ ½ 1]: per filter, loops over channels into one array per tap, then the taps into Darknet's layout.
     */
    private static void untransform(float[] du, int out, int in, float[] grad) {
        int plane = out * in;
        ComputeThreads.split(out, ComputeThreads.grain(25 * in), (from, to) -> {
            float[][] a = new float[12][in], q = new float[9][in];
            for (int k = from; k < to; k++) {
                // a = Gᵀ·dU: rows 0..2 of a (four columns each) from the rows of dU.
                for (int s = 0; s < 4; s++) {
                    drop(du, s * plane + k * in, (4 + s) * plane + k * in, (8 + s) * plane + k * in,
                            (12 + s) * plane + k * in, a[s], a[4 + s], a[8 + s], in);
                }
                // q = a·G: the three taps of each row of a.
                for (int r = 0; r < 3; r++) {
                    dropRow(a[4 * r], a[4 * r + 1], a[4 * r + 2], a[4 * r + 3], q[3 * r], q[3 * r + 1], q[3 * r + 2],
                            in);
                }
                for (int t = 0; t < 9; t++) {
                    float[] qt = q[t];
                    for (int c = 0, i = k * in * 9 + t; c < in; c++, i += 9) {
                        grad[i] += qt[c];
                    }
                }
            }
        });
    }

    /** Gᵀ over four rows of {@code du} at the given offsets, per element, into three arrays. */
    private static void drop(float[] du, int s0, int s1, int s2, int s3, float[] y0, float[] y1, float[] y2, int n) {
        for (int c = 0; c < n; c++) {
            float a1 = du[s1 + c], a2 = du[s2 + c];
            y0[c] = du[s0 + c] + (a1 + a2) * .5f;
            y1[c] = (a1 - a2) * .5f;
            y2[c] = (a1 + a2) * .5f + du[s3 + c];
        }
    }

    /** Gᵀ over four arrays, per element, into three. */
    private static void dropRow(float[] x0, float[] x1, float[] x2, float[] x3, float[] y0, float[] y1, float[] y2,
                                int n) {
        for (int c = 0; c < n; c++) {
            y0[c] = x0[c] + (x1[c] + x2[c]) * .5f;
            y1[c] = (x1[c] - x2[c]) * .5f;
            y2[c] = (x1[c] + x2[c]) * .5f + x3[c];
        }
    }

    /** The plane of the layer's transformed filters that holds plane e of the turned ones (rows, columns 0 ↔ 3). */
    private static final int[] TURNED = new int[16];

    static {
        int[] swap = {3, 1, 2, 0};
        for (int e = 0; e < 16; e++) {
            TURNED[e] = 4 * swap[e / 4] + swap[e % 4];
        }
    }

    /** One call's operands and the band's layout. */
    private record Geometry(float[] u, boolean turned, int out, int in, Tensor x, int offset, Tensor y, int perRow,
                            int rows) {
        /**
         * Block rows {@code first} to {@code first + rows − 1} (or to {@code blockRows}) of image {@code b}; with
         * {@code shared} the compute threads share its transforms and GEMMs, in the caller's scratch array.
         */
        void band(int b, int first, int blockRows, boolean shared) {
            int count = Math.min(rows, blockRows - first), blocks = count * perRow;
            float[] buf = Scratch.floats(16 * (in + out) * blocks);
            int m = 16 * in * blocks;
            if (!shared) {
                transformInputs(buf, b, first, count, blocks, 0, in);
                multiply(buf, m, blocks, 0, 16, Gemm.unsplit());
                transformOutputs(buf, m, b, first, count, blocks, 0, out);
                return;
            }
            ComputeThreads.split(in, 1, (from, to) -> transformInputs(buf, b, first, count, blocks, from, to));
            ComputeThreads.split(16, 1, (from, to) -> multiply(buf, m, blocks, from, to, Gemm.unsplit()));
            ComputeThreads.split(out, 1, (from, to) -> transformOutputs(buf, m, b, first, count, blocks, from, to));
        }

        /**
         * Adds the band's dU[e] = (A·dy·Aᵀ)[e]·V[e]ᵀ into {@code du}: block rows {@code first} to
         * {@code first + rows − 1} (or to {@code blockRows}) of image {@code b}, y being the gradient dy; with
         * {@code shared} the compute threads share the band's transforms and GEMMs (each GEMM adds into a plane of
         * its own).
         */
        void gradientBand(float[] du, int b, int first, int blockRows, boolean shared) {
            int count = Math.min(rows, blockRows - first), blocks = count * perRow;
            float[] buf = Scratch.floats(16 * (in + out) * blocks);
            int m = 16 * in * blocks;
            if (!shared) {
                transformInputs(buf, b, first, count, blocks, 0, in);
                transformGradients(buf, m, b, first, count, blocks, 0, out);
                accumulate(buf, m, blocks, du, 0, 16, Gemm.unsplit());
                return;
            }
            ComputeThreads.split(in, 1, (from, to) -> transformInputs(buf, b, first, count, blocks, from, to));
            ComputeThreads.split(out, 1, (from, to) -> transformGradients(buf, m, b, first, count, blocks, from, to));
            ComputeThreads.split(16, 1, (from, to) -> accumulate(buf, m, blocks, du, from, to, Gemm.unsplit()));
        }

        /** dU[e] += T[e]·V[e]ᵀ for e in [from, to): (out × blocks)·(blocks × in). */
        private void accumulate(float[] buf, int m, int blocks, float[] du, int from, int to, Gemm gemm) {
            for (int e = from; e < to; e++) {
                gemm.sgemm(false, true, out, in, blocks, 1, buf, m + e * out * blocks, blocks, buf, e * in * blocks,
                        blocks, 1, du, e * out * in, in);
            }
        }

        /**
         * T[e][k][block] = (A·dy·Aᵀ)[e] for gradient channels [from, to), dy each block's 2×2 gradients (zero past
         * y's edge), A = [1 0; 1 1; 1 −1; 0 −1].
         */
        private void transformGradients(float[] buf, int m, int b, int first, int count, int blocks, int from, int to) {
            Rect o = y.rect;
            int w = o.width(), h = o.height(), plane = out * blocks;
            for (int k = from; k < to; k++) {
                int src = (b * out + k) * h * w;
                for (int br = 0; br < count; br++) {
                    int oy = 2 * (first + br), at = m + k * blocks + br * perRow;
                    boolean down = oy + 1 < h;
                    for (int bc = 0; bc < perRow; bc++) {
                        int ox = 2 * bc, i = src + oy * w + ox;
                        boolean right = ox + 1 < w;
                        float g00 = y.data[i], g01 = right ? y.data[i + 1] : 0f;
                        float g10 = down ? y.data[i + w] : 0f, g11 = down && right ? y.data[i + w + 1] : 0f;
                        // A·dy: four rows of two, each then ·Aᵀ.
                        int e = at + bc, step = 4 * plane;
                        spread(buf, e, plane, g00, g01);
                        spread(buf, e + step, plane, g00 + g10, g01 + g11);
                        spread(buf, e + 2 * step, plane, g00 - g10, g01 - g11);
                        spread(buf, e + 3 * step, plane, -g10, -g11);
                    }
                }
            }
        }

        /** One row (x0, x1) of A·dy times Aᵀ: x0, x0 + x1, x0 − x1, −x1 into four planes. */
        private static void spread(float[] buf, int e, int plane, float x0, float x1) {
            buf[e] = x0;
            buf[e + plane] = x0 + x1;
            buf[e + 2 * plane] = x0 - x1;
            buf[e + 3 * plane] = -x1;
        }

        /**
         * V[e][c][block] = (Bᵀ·d·B)[e] for channels [from, to), d each block's 4×4 inputs, Bᵀ = [1 0 −1 0;
         * 0 1 1 0; 0 −1 1 0; 0 1 0 −1]: per block row, the four input rows (zero outside x) are copied into a
         * strip and combined row by row (Bᵀ, loops over the strip's width), then each block's columns (·B).
         */
        private void transformInputs(float[] v, int b, int first, int count, int blocks, int from, int to) {
            Rect xr = x.rect, o = y.rect;
            int xw = xr.width(), xh = xr.height(), width = 2 * perRow + 2, plane = in * blocks;
            int left = o.x1() - offset - xr.x1();
            int lo = Math.max(0, -left), hi = Math.min(width, xw - left);
            float[] strip = new float[4 * width], t = new float[4 * width];
            for (int c = from; c < to; c++) {
                int src = (b * in + c) * xh * xw;
                for (int br = 0; br < count; br++) {
                    int top = o.y1() + 2 * (first + br) - offset - xr.y1();
                    for (int r = 0; r < 4; r++) {
                        int row = top + r, d = r * width;
                        if (row < 0 || row >= xh || lo >= hi) {
                            Arrays.fill(strip, d, d + width, 0f);
                            continue;
                        }
                        Arrays.fill(strip, d, d + lo, 0f);
                        System.arraycopy(x.data, src + row * xw + left + lo, strip, d + lo, hi - lo);
                        Arrays.fill(strip, d + hi, d + width, 0f);
                    }
                    for (int i = 0; i < width; i++) {
                        float d0 = strip[i], d1 = strip[width + i];
                        float d2 = strip[2 * width + i], d3 = strip[3 * width + i];
                        t[i] = d0 - d2;
                        t[width + i] = d1 + d2;
                        t[2 * width + i] = d2 - d1;
                        t[3 * width + i] = d1 - d3;
                    }
                    int at = c * blocks + br * perRow;
                    for (int r = 0; r < 4; r++) {
                        int row = r * width, v0 = 4 * r * plane + at, v1 = v0 + plane, v2 = v1 + plane, v3 = v2 + plane;
                        for (int bc = 0; bc < perRow; bc++) {
                            int i = row + 2 * bc;
                            float t0 = t[i], t1 = t[i + 1], t2 = t[i + 2], t3 = t[i + 3];
                            v[v0 + bc] = t0 - t2;
                            v[v1 + bc] = t1 + t2;
                            v[v2 + bc] = t2 - t1;
                            v[v3 + bc] = t1 - t3;
                        }
                    }
                }
            }
        }

        /** M[e] = U[e]·V[e] for e in [from, to): (out × in)·(in × blocks). */
        private void multiply(float[] buf, int m, int blocks, int from, int to, Gemm gemm) {
            for (int e = from; e < to; e++) {
                int plane = out * in * (turned ? TURNED[e] : e);
                gemm.sgemm(turned, false, out, blocks, in, 1, u, plane, turned ? out : in, buf, e * in * blocks,
                        blocks, 0, buf, m + e * out * blocks, blocks);
            }
        }

        /**
         * y = Aᵀ·M·A for output channels [from, to), Aᵀ = [1 1 1 0; 0 1 −1 −1]: per block row, the rows (Aᵀ, loops
         * over the blocks), then each block's columns; a block's row or column past y's edge is dropped.
         */
        private void transformOutputs(float[] buf, int m, int b, int first, int count, int blocks, int from, int to) {
            Rect o = y.rect;
            int w = o.width(), h = o.height(), plane = out * blocks;
            float[] rowsOf = new float[8 * perRow];
            for (int k = from; k < to; k++) {
                int dst = (b * out + k) * h * w;
                for (int br = 0; br < count; br++) {
                    int at = m + k * blocks + br * perRow;
                    for (int s = 0; s < 4; s++) {
                        int m0 = at + s * plane, m1 = m0 + 4 * plane, m2 = m1 + 4 * plane, m3 = m2 + 4 * plane;
                        int upper = s * perRow, lower = (4 + s) * perRow;
                        for (int bc = 0; bc < perRow; bc++) {
                            float a1 = buf[m1 + bc], a2 = buf[m2 + bc];
                            rowsOf[upper + bc] = buf[m0 + bc] + a1 + a2;
                            rowsOf[lower + bc] = a1 - a2 - buf[m3 + bc];
                        }
                    }
                    int oy = 2 * (first + br);
                    columns(rowsOf, 0, dst + oy * w, w);
                    if (oy + 1 < h) {
                        columns(rowsOf, 4 * perRow, dst + (oy + 1) * w, w);
                    }
                }
            }
        }

        /** One output row from the four rows of Aᵀ·M at {@code rowsOf[at]}: ·A on each block's columns. */
        private void columns(float[] rowsOf, int at, int dst, int w) {
            int r0 = at, r1 = at + perRow, r2 = r1 + perRow, r3 = r2 + perRow, whole = w / 2;
            for (int bc = 0; bc < whole; bc++) {
                float a1 = rowsOf[r1 + bc], a2 = rowsOf[r2 + bc];
                y.data[dst + 2 * bc] = rowsOf[r0 + bc] + a1 + a2;
                y.data[dst + 2 * bc + 1] = a1 - a2 - rowsOf[r3 + bc];
            }
            if (whole < perRow) {
                y.data[dst + 2 * whole] = rowsOf[r0 + whole] + rowsOf[r1 + whole] + rowsOf[r2 + whole];
            }
        }
    }
}
