package dev.tiletrain.ops.gemm;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;

/**
 * GEMM through {@code dev.ludovic.netlib} (what Spark MLlib uses): its JNI path to the system OpenBLAS
 * runs at native speed. Netlib is column-major, and a column-major BLAS reads a row-major X as Xᵀ with
 * the same leading dimension, so row-major {@code C = op(A)·op(B)} is the column-major
 * {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}: swap the operands and m with n, move no data.
 */
final class NetlibGemm implements Gemm {
    static final NetlibGemm INSTANCE = new NetlibGemm(BLAS.getInstance());

    private final BLAS blas;

    private NetlibGemm(BLAS blas) {
        this.blas = blas;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
    }

    @Override
    public String backend() {
        String core = OpenBlasKernels.coreType();
        return "netlib " + blas.getClass().getSimpleName() + (blas instanceof NativeBLAS ? " (native"
                + (core == null ? "" : ", OPENBLAS_CORETYPE=" + core) + ")" : " (Java)");
    }
}
