package dev.tiletrain.ops.layers;

/**
 * The per-channel sums of a batch norm, in double: Σx and Σx² (the forward's statistics) and Σdz and Σdz·x̂
 * (the backward's), over a run of one channel's plane. By the Vector API ({@link VectorChannelSums}) where it
 * compiles to SIMD instructions, else by scalar loops.
 *
 * <p>Why two ways: C2 (Java 17) vectorizes no loop that widens float to double, so the scalar sums run one
 * element at a time; the Vector API's run 8 (AVX-512) or 4 (AVX2) at once: 4–5× and 2.6–3× faster on a
 * 32×416² map (ChannelSumsBenchmark). The API is an incubator module, present only when the JVM starts with
 * {@code --add-modules=jdk.incubator.vector} (Spark's launcher adds it to every driver and executor, the
 * project's scripts and tests too), and it is fast only where C2 compiles its operations to SIMD instructions:
 * measured on x86-64 with AVX2 or AVX-512 under C2; with SSE alone ({@code -XX:UseAVX=0}) it ran 10–80×
 * slower than the scalar loops, as Java objects per operation, under C1 alone 200–300× slower, and so it may on
 * a CPU not measured (aarch64, armhf): all those sum by the scalar loops. The two ways add in a different order, so their sums may differ in the last bits of a
 * double (ChannelSumsTest).
 */
final class ChannelSums {
    /** Whether this JVM sums by the Vector API: see the class comment. */
    static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && VectorChannelSums.compilesToSimd();

    private ChannelSums() {
    }

    /** Adds Σx and Σx² over x[from, to) to acc[0] and acc[1]. */
    static void sumAndSquares(float[] x, int from, int to, double[] acc) {
        if (VECTOR) {
            VectorChannelSums.sumAndSquares(x, from, to, acc);
        } else {
            scalarSumAndSquares(x, from, to, acc);
        }
    }

    /** Sets acc[0] and acc[1] to Σdz and Σdz·x̂ over [from, to), x̂ = (x − mu)/s in float as the layer computes it. */
    static void sumAndProducts(float[] dz, float[] x, int from, int to, float mu, float s, double[] acc) {
        if (VECTOR) {
            VectorChannelSums.sumAndProducts(dz, x, from, to, mu, s, acc);
        } else {
            scalarSumAndProducts(dz, x, from, to, mu, s, acc);
        }
    }

    // Four partial sums, to overlap the additions.

    /** {@link #sumAndSquares} by scalar loops. */
    static void scalarSumAndSquares(float[] x, int from, int to, double[] acc) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            double v0 = x[i], v1 = x[i + 1], v2 = x[i + 2], v3 = x[i + 3];
            s0 += v0;
            s1 += v1;
            s2 += v2;
            s3 += v3;
            q0 += v0 * v0;
            q1 += v1 * v1;
            q2 += v2 * v2;
            q3 += v3 * v3;
        }
        for (; i < to; i++) {
            double v = x[i];
            s0 += v;
            q0 += v * v;
        }
        acc[0] += (s0 + s1) + (s2 + s3);
        acc[1] += (q0 + q1) + (q2 + q3);
    }

    /** {@link #sumAndProducts} by scalar loops. */
    static void scalarSumAndProducts(float[] dz, float[] x, int from, int to, float mu, float s, double[] acc) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, p0 = 0, p1 = 0, p2 = 0, p3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            double g0 = dz[i], g1 = dz[i + 1], g2 = dz[i + 2], g3 = dz[i + 3];
            s0 += g0;
            s1 += g1;
            s2 += g2;
            s3 += g3;
            p0 += g0 * ((x[i] - mu) / s);
            p1 += g1 * ((x[i + 1] - mu) / s);
            p2 += g2 * ((x[i + 2] - mu) / s);
            p3 += g3 * ((x[i + 3] - mu) / s);
        }
        for (; i < to; i++) {
            double g = dz[i];
            s0 += g;
            p0 += g * ((x[i] - mu) / s);
        }
        acc[0] = (s0 + s1) + (s2 + s3);
        acc[1] = (p0 + p1) + (p2 + p3);
    }
}
