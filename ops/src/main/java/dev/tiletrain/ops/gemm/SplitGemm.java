package dev.tiletrain.ops.gemm;

import dev.tiletrain.ops.parallel.ComputeThreads;

/**
 * A GEMM cut into parts that run on {@link ComputeThreads}, each part one call of a single-threaded engine:
 * blocks of C's columns or rows (the larger side), so that parts write disjoint cells; or, when C is small
 * and the sum long (a weight gradient, filters × patch over a band's positions), slices of the sum that
 * are added into C after (then the order of the float additions depends on the thread count). With one
 * compute thread it is the engine itself.
 */
final class SplitGemm implements Gemm {
    /** Fewest rows or columns of C per part: below this OpenBLAS's packing costs more than a core gains. */
    private static final int GRAIN = 64;
    /** Fewest terms of the sum per part when the sum is split. */
    private static final int SUM_GRAIN = 4096;

    static final SplitGemm STANDARD = new SplitGemm(EngineChoice.pick());

    private final Gemm engine;

    SplitGemm(Gemm engine) {
        this.engine = engine;
    }

    Gemm engine() {
        return engine;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        int threads = ComputeThreads.get();
        if (threads > 1 && n >= m && n >= 2 * GRAIN) {
            ComputeThreads.split(n, GRAIN, (from, to) -> engine.sgemm(transA, transB, m, to - from, k, alpha, a, aOff, lda,
                    b, bOff + (transB ? from * ldb : from), ldb, beta, c, cOff + from, ldc));
        } else if (threads > 1 && m >= 2 * GRAIN) {
            ComputeThreads.split(m, GRAIN, (from, to) -> engine.sgemm(transA, transB, to - from, n, k, alpha,
                    a, aOff + (transA ? from : from * lda), lda, b, bOff, ldb, beta, c, cOff + from * ldc, ldc));
        } else if (threads > 1 && k >= 2 * SUM_GRAIN) {
            splitSum(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            engine.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /** C = α·Σ over slices of k of op(A)·op(B) + β·C: the first slice into C, the others into m×n partial sums. */
    private void splitSum(boolean transA, boolean transB, int m, int n, int k, float alpha,
                          float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float beta, float[] c, int cOff, int ldc) {
        int parts = Math.min(ComputeThreads.get(), k / SUM_GRAIN);
        float[][] partial = new float[parts][];
        ComputeThreads.split(parts, 1, (first, last) -> {
            for (int p = first; p < last; p++) {
                int from = (int) ((long) k * p / parts), to = (int) ((long) k * (p + 1) / parts);
                int aAt = aOff + (transA ? from * lda : from), bAt = bOff + (transB ? from : from * ldb);
                if (p == 0) {
                    engine.sgemm(transA, transB, m, n, to - from, alpha, a, aAt, lda, b, bAt, ldb, beta, c, cOff, ldc);
                } else {
                    partial[p] = new float[m * n];
                    engine.sgemm(transA, transB, m, n, to - from, alpha, a, aAt, lda, b, bAt, ldb, 0, partial[p], 0, n);
                }
            }
        });
        for (int p = 1; p < parts; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    c[cOff + i * ldc + j] += partial[p][i * n + j];
                }
            }
        }
    }

    @Override
    public String backend() {
        int threads = ComputeThreads.get();
        return engine.backend() + (threads > 1 ? ", split over " + threads + " compute threads" : "");
    }
}
