package dev.tiletrain.ops.layers;

/**
 * The per-channel sums of a batch norm, in double: Σx and Σx² (the forward's statistics) and Σdz and Σdz·x̂
 * (the backward's), over a run of one channel's plane. By the Vector API ({@link VectorChannelSums}) where it
 * compiles to SIMD instructions, else by scalar loops, both to the same bits.
 *
 * <p>Why two ways: C2 (Java 17) vectorizes no loop that widens float to double, so the scalar sums run one
 * element at a time; the Vector API's run 4 at once, 3.4–3.9× faster on a 32×416² map (ChannelSumsBenchmark). The
 * API is an incubator module, present only when the JVM starts with {@code --add-modules=jdk.incubator.vector}
 * (Spark's launcher adds it to every driver and executor, the project's scripts and tests too), and it is fast
 * only where C2 compiles its operations to SIMD instructions: measured on x86-64 with AVX2 or AVX-512 under C2;
 * with SSE alone ({@code -XX:UseAVX=0}) it ran 16–80× slower than the scalar loops, as Java objects per
 * operation, under C1 alone 200–300× slower, and so it may on a CPU not measured (aarch64, armhf): all those sum
 * by the scalar loops.
 *
 * <p>Why the same bits: a cluster's JVMs need not choose alike (the integration tests' executors run C1 only,
 * a device may be ARM), and the job's weights must equal the in-process runner's to the bit. So both ways add
 * in one order, whatever the vector width: element k of a run (counted from its start) goes into partial sum
 * k mod {@link #PARTIALS}, the partial sums are added in index order, then the elements of the last, short
 * round in order. Java's double arithmetic is IEEE's in every JIT tier and on every CPU, and neither way fuses
 * a multiply with an add.
 */
final class ChannelSums {
    /** Partial sums per sum: 16, a round of four 4-lane vectors. */
    static final int PARTIALS = 16;

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

    // The scalar loops keep the 16 partial sums in locals: in an array they ran 30 % slower (C2 keeps array
    // elements in memory), and these loops are what ARM devices and C1 run.

    /** {@link #sumAndSquares} by scalar loops. */
    static void scalarSumAndSquares(float[] x, int from, int to, double[] acc) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0, s8 = 0, s9 = 0, s10 = 0, s11 = 0,
                s12 = 0, s13 = 0, s14 = 0, s15 = 0;
        double q0 = 0, q1 = 0, q2 = 0, q3 = 0, q4 = 0, q5 = 0, q6 = 0, q7 = 0, q8 = 0, q9 = 0, q10 = 0, q11 = 0,
                q12 = 0, q13 = 0, q14 = 0, q15 = 0;
        int i = from;
        for (; i + PARTIALS <= to; i += PARTIALS) {
            double v0 = x[i + 0];
            s0 += v0;
            q0 += v0 * v0;
            double v1 = x[i + 1];
            s1 += v1;
            q1 += v1 * v1;
            double v2 = x[i + 2];
            s2 += v2;
            q2 += v2 * v2;
            double v3 = x[i + 3];
            s3 += v3;
            q3 += v3 * v3;
            double v4 = x[i + 4];
            s4 += v4;
            q4 += v4 * v4;
            double v5 = x[i + 5];
            s5 += v5;
            q5 += v5 * v5;
            double v6 = x[i + 6];
            s6 += v6;
            q6 += v6 * v6;
            double v7 = x[i + 7];
            s7 += v7;
            q7 += v7 * v7;
            double v8 = x[i + 8];
            s8 += v8;
            q8 += v8 * v8;
            double v9 = x[i + 9];
            s9 += v9;
            q9 += v9 * v9;
            double v10 = x[i + 10];
            s10 += v10;
            q10 += v10 * v10;
            double v11 = x[i + 11];
            s11 += v11;
            q11 += v11 * v11;
            double v12 = x[i + 12];
            s12 += v12;
            q12 += v12 * v12;
            double v13 = x[i + 13];
            s13 += v13;
            q13 += v13 * v13;
            double v14 = x[i + 14];
            s14 += v14;
            q14 += v14 * v14;
            double v15 = x[i + 15];
            s15 += v15;
            q15 += v15 * v15;
        }
        addLastRound(x, i, to, total(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15),
                total(q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15), acc);
    }

    /** {@link #sumAndProducts} by scalar loops. */
    static void scalarSumAndProducts(float[] dz, float[] x, int from, int to, float mu, float s, double[] acc) {
        double g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0, g8 = 0, g9 = 0, g10 = 0, g11 = 0,
                g12 = 0, g13 = 0, g14 = 0, g15 = 0;
        double p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0, p8 = 0, p9 = 0, p10 = 0, p11 = 0,
                p12 = 0, p13 = 0, p14 = 0, p15 = 0;
        int i = from;
        for (; i + PARTIALS <= to; i += PARTIALS) {
            double d0 = dz[i + 0];
            g0 += d0;
            p0 += d0 * ((x[i + 0] - mu) / s);
            double d1 = dz[i + 1];
            g1 += d1;
            p1 += d1 * ((x[i + 1] - mu) / s);
            double d2 = dz[i + 2];
            g2 += d2;
            p2 += d2 * ((x[i + 2] - mu) / s);
            double d3 = dz[i + 3];
            g3 += d3;
            p3 += d3 * ((x[i + 3] - mu) / s);
            double d4 = dz[i + 4];
            g4 += d4;
            p4 += d4 * ((x[i + 4] - mu) / s);
            double d5 = dz[i + 5];
            g5 += d5;
            p5 += d5 * ((x[i + 5] - mu) / s);
            double d6 = dz[i + 6];
            g6 += d6;
            p6 += d6 * ((x[i + 6] - mu) / s);
            double d7 = dz[i + 7];
            g7 += d7;
            p7 += d7 * ((x[i + 7] - mu) / s);
            double d8 = dz[i + 8];
            g8 += d8;
            p8 += d8 * ((x[i + 8] - mu) / s);
            double d9 = dz[i + 9];
            g9 += d9;
            p9 += d9 * ((x[i + 9] - mu) / s);
            double d10 = dz[i + 10];
            g10 += d10;
            p10 += d10 * ((x[i + 10] - mu) / s);
            double d11 = dz[i + 11];
            g11 += d11;
            p11 += d11 * ((x[i + 11] - mu) / s);
            double d12 = dz[i + 12];
            g12 += d12;
            p12 += d12 * ((x[i + 12] - mu) / s);
            double d13 = dz[i + 13];
            g13 += d13;
            p13 += d13 * ((x[i + 13] - mu) / s);
            double d14 = dz[i + 14];
            g14 += d14;
            p14 += d14 * ((x[i + 14] - mu) / s);
            double d15 = dz[i + 15];
            g15 += d15;
            p15 += d15 * ((x[i + 15] - mu) / s);
        }
        setLastRound(dz, x, i, to, mu, s, total(g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, g10, g11, g12, g13, g14, g15),
                total(p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15), acc);
    }

    // Both ways end alike: the partial sums' totals, then the last, short round [i, to) in order.

    /** acc[0] += sum + Σx, acc[1] += squares + Σx² over the last round x[i, to), added in order. */
    static void addLastRound(float[] x, int i, int to, double sum, double squares, double[] acc) {
        for (; i < to; i++) {
            double v = x[i];
            sum += v;
            squares += v * v;
        }
        acc[0] += sum;
        acc[1] += squares;
    }

    /** acc[0] = sum + Σdz, acc[1] = products + Σdz·x̂ over the last round [i, to), added in order. */
    static void setLastRound(float[] dz, float[] x, int i, int to, float mu, float s, double sum, double products,
                             double[] acc) {
        for (; i < to; i++) {
            double d = dz[i];
            sum += d;
            products += d * ((x[i] - mu) / s);
        }
        acc[0] = sum;
        acc[1] = products;
    }

    /** The partial sums added in index order. */
    static double total(double... partials) {
        double t = 0;
        for (double p : partials) {
            t += p;
        }
        return t;
    }
}
