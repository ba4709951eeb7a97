package dev.tiletrain.ops.gemm;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * GEMM through the OpenBLAS that the JavaCPP jars bundle for linux-arm64 and linux-armhf: a device with no
 * system OpenBLAS, or none that netlib can reach (netlib ships no JNI shim for 32-bit ARM), still gets a
 * native kernel without building or installing anything. OpenBLAS is row-major here (CBLAS).
 *
 * <p>JavaCPP's {@code float[]} overloads copy every array in and out whole; this copies only the cells a
 * call reads and writes, into per-thread off-heap buffers. C goes through row by row, so that calls on
 * other threads writing other columns of the same rows ({@code SplitGemm}) are never overwritten.
 */
final class BundledOpenBlasGemm implements Gemm {
    private static final int ROW_MAJOR = openblas_nolapack.CblasRowMajor;
    private static final int NO_TRANS = openblas_nolapack.CblasNoTrans;
    private static final int TRANS = openblas_nolapack.CblasTrans;

    /** A, B and C of this thread's calls, grown as needed and kept. */
    private static final ThreadLocal<FloatPointer[]> BUFFERS = ThreadLocal.withInitial(() -> new FloatPointer[3]);

    private BundledOpenBlasGemm() {
    }

    /** Loads the bundled library for this platform; throws when the jar has none for it. */
    static BundledOpenBlasGemm load() {
        Loader.load(openblas_nolapack.class);
        return new BundledOpenBlasGemm();
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        FloatPointer[] buffers = BUFFERS.get();
        FloatPointer pa = span(buffers, 0, a, aOff, transA ? k : m, transA ? m : k, lda);
        FloatPointer pb = span(buffers, 1, b, bOff, transB ? n : k, transB ? k : n, ldb);
        FloatPointer pc = buffer(buffers, 2, (long) m * n);
        if (beta != 0) {
            for (int i = 0; i < m; i++) {
                pc.position((long) i * n).put(c, cOff + i * ldc, n);
            }
        }
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                pa.position(0), lda, pb.position(0), ldb, beta, pc.position(0), n);
        for (int i = 0; i < m; i++) {
            pc.position((long) i * n).get(c, cOff + i * ldc, n);
        }
        pc.position(0);
    }

    /** Copies the rows × cols matrix at x[off] with leading dimension ld into buffer {@code slot}, as stored. */
    private static FloatPointer span(FloatPointer[] buffers, int slot, float[] x, int off, int rows, int cols, int ld) {
        int length = rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols;
        FloatPointer p = buffer(buffers, slot, length);
        p.position(0).put(x, off, length);
        return p;
    }

    private static FloatPointer buffer(FloatPointer[] buffers, int slot, long floats) {
        FloatPointer p = buffers[slot];
        if (p == null || p.capacity() < Math.max(1, floats)) {
            if (p != null) {
                p.close();
            }
            p = new FloatPointer(Math.max(1, floats));
            buffers[slot] = p;
        }
        return p;
    }

    @Override
    public String backend() {
        return "OpenBLAS bundled in the jar (JavaCPP, " + Loader.getPlatform() + ")";
    }
}
