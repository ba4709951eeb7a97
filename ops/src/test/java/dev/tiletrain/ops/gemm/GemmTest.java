package dev.tiletrain.ops.gemm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.parallel.ComputeThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Gemm#standard()} and the bundled OpenBLAS against a plain triple loop in double, on random shapes with every transpose
 * combination, offsets, padded leading dimensions and β ≠ 0, on 1 and 2 compute threads (the last cases
 * are large enough for each way of splitting: C's columns, C's rows, the sum). Tolerance: each element
 * within {@code 1e-5·(Σ|α·a·b| + |β·c|)}, the size of float32 rounding over sums of these lengths.
 */
class GemmTest {
    static Stream<Arguments> cases() {
        Random r = new Random(11);
        List<Arguments> cases = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            cases.add(Arguments.of(i % 2 == 1, (i / 2) % 2 == 1, 1 + r.nextInt(40), 1 + r.nextInt(70),
                    1 + r.nextInt(150), 100L + i));
        }
        cases.add(Arguments.of(false, false, 1, 1, 1, 1L));
        cases.add(Arguments.of(false, true, 64, 300, 288, 2L));
        cases.add(Arguments.of(true, false, 288, 200, 64, 3L));
        cases.add(Arguments.of(false, true, 20, 300, 50, 4L));
        cases.add(Arguments.of(true, true, 300, 40, 30, 5L));
        cases.add(Arguments.of(false, true, 32, 27, 9000, 6L));
        cases.add(Arguments.of(true, false, 27, 16, 8500, 7L));
        return Stream.of("standard", "bundled").flatMap(engine -> cases.stream().flatMap(c -> Stream.of(1, 2).map(t -> {
            Object[] a = c.get();
            return Arguments.of(engine, a[0], a[1], a[2], a[3], a[4], a[5], t);
        })));
    }

    /** The engines: what the layers use, and the bundled OpenBLAS (on x86_64 from the test-scoped natives). */
    private static Gemm engine(String name) {
        return name.equals("standard") ? Gemm.standard() : new SplitGemm(BundledOpenBlasGemm.load());
    }

    @AfterEach
    void oneThreadAgain() {
        ComputeThreads.set(1);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesReferenceLoop(String engine, boolean transA, boolean transB, int m, int n, int k, long seed, int threads) {
        ComputeThreads.set(threads);
        Gemm gemm = engine(engine);
        Random r = new Random(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + r.nextInt(3), ldb = bCols + r.nextInt(3), ldc = n + r.nextInt(3);
        int aOff = r.nextInt(5), bOff = r.nextInt(5), cOff = r.nextInt(5);
        float[] a = random(r, aOff + (aRows - 1) * lda + aCols + r.nextInt(3));
        float[] b = random(r, bOff + (bRows - 1) * ldb + bCols + r.nextInt(3));
        float[] c = random(r, cOff + (m - 1) * ldc + n + r.nextInt(3));
        float alpha = r.nextFloat() * 2 - 1, beta = r.nextInt(3) == 0 ? 0 : r.nextFloat() * 2 - 1;
        float[] before = c.clone();

        gemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);

        List<String> failures = new ArrayList<>();
        boolean[] inC = new boolean[c.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++) {
                    double t = (double) alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p])
                            * (transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j]);
                    sum += t;
                    magnitude += Math.abs(t);
                }
                int ci = cOff + i * ldc + j;
                inC[ci] = true;
                double expected = sum + (double) beta * before[ci];
                magnitude += Math.abs((double) beta * before[ci]);
                if (Math.abs(c[ci] - expected) > 1e-5 * magnitude + 1e-30) {
                    failures.add("C[" + i + "," + j + "] = " + c[ci] + ", expected " + expected);
                }
            }
        }
        for (int i = 0; i < c.length; i++) {
            if (!inC[i] && c[i] != before[i]) {
                failures.add("wrote outside C at " + i);
            }
        }
        assertTrue(failures.isEmpty(), gemm.backend() + ": " + failures.size() + " wrong, e.g. "
                + failures.subList(0, Math.min(5, failures.size())));
    }

    private static float[] random(Random r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = r.nextFloat() * 2 - 1;
        }
        return v;
    }
}
