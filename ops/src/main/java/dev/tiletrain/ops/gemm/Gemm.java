package dev.tiletrain.ops.gemm;

/**
 * Row-major single-precision matrix multiply {@code C = alpha·op(A)·op(B) + beta·C}, where op(A) is
 * m×k, op(B) is k×n and C is m×n, each matrix addressed by an offset into its array and a leading
 * dimension (the distance between the starts of consecutive rows as stored). The convolution layers
 * call nothing else, so a different engine (a pure-Java kernel where no native BLAS loads) plugs in here.
 */
public interface Gemm {
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc);

    /** What computes the products, for logs and benchmark reports, e.g. {@code netlib JNIBLAS (native)}. */
    String backend();

    /** The engine the layers use: the native one, split over this JVM's {@code ComputeThreads}. */
    static Gemm standard() {
        return SplitGemm.STANDARD;
    }

    /** The native engine itself, on the caller's thread: for a caller that already runs on one compute thread. */
    static Gemm unsplit() {
        return SplitGemm.STANDARD.engine();
    }
}
