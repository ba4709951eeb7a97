package dev.tiletrain.ops.parallel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;

/**
 * How many threads one task's kernels use in this JVM: the convolutions (bands of output rows cut among the
 * threads, each band's im2col, GEMM and col2im on one thread; or, with too few bands, each GEMM split into
 * blocks of C by {@code SplitGemm} and im2col and col2im by channel) and the pointwise passes (batch norm,
 * activations, pooling, split into ranges of planes or elements). One level of parallelism only: when Java splits the work, each part
 * calls a single-threaded OpenBLAS, so a JVM that sets more than 1 must run with
 * {@code OPENBLAS_NUM_THREADS=1} (OpenBLAS reads it once, when it loads; {@link #set} refuses otherwise).
 *
 * <p>The default is 1: every call runs inline on the caller's thread, as before this class existed. A
 * split runs its first part on the caller and the others on a pool of {@code threads − 1} daemon threads,
 * so a task on T threads keeps T cores busy. Several callers (tiles run side by side in one process) share
 * the pool, whose parts then wait their turn.
 */
public final class ComputeThreads {
    /** A range of work items {@code [from, to)} of one split. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private static volatile int threads = 1;
    private static volatile ForkJoinPool pool;

    private ComputeThreads() {
    }

    /**
     * Sets this JVM's compute threads per task ({@code spark.tiletrain.threads}); takes effect for the
     * kernels' next calls. Throws when {@code count} is below 1, or above 1 while OpenBLAS may be
     * threaded itself (OPENBLAS_NUM_THREADS is not 1 in this JVM's environment).
     */
    public static synchronized void set(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("compute threads must be at least 1, got " + count);
        }
        String blas = System.getenv("OPENBLAS_NUM_THREADS");
        if (count > 1 && !"1".equals(blas)) {
            throw new IllegalStateException("compute threads " + count + " split each GEMM in Java, so OpenBLAS must run"
                    + " single-threaded: start this JVM with OPENBLAS_NUM_THREADS=1 (for Spark executors"
                    + " spark.executorEnv.OPENBLAS_NUM_THREADS=1), found " + (blas == null ? "it unset" : "'" + blas + "'"));
        }
        if (count == threads) {
            return;
        }
        ForkJoinPool old = pool;
        pool = count == 1 ? null : new ForkJoinPool(count - 1);
        threads = count;
        if (old != null) {
            old.shutdown();
            try {
                old.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** This JVM's compute threads per task. */
    public static int get() {
        return threads;
    }

    /**
     * Runs {@code range} over {@code [0, count)} cut into at most {@link #get()} contiguous parts of at
     * least {@code grain} items each, and returns when every part has run.
     */
    public static void split(int count, int grain, Range range) {
        ForkJoinPool p = pool;
        int parts = p == null ? 1 : Math.min(threads, count / Math.max(1, grain));
        if (parts <= 1) {
            range.run(0, count);
            return;
        }
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            int from = bound(count, parts, i), to = bound(count, parts, i + 1);
            others[i - 1] = p.submit(() -> range.run(from, to));
        }
        range.run(0, bound(count, parts, 1));
        for (ForkJoinTask<?> t : others) {
            t.join();
        }
    }

    /**
     * The grain for {@link #split} over items of {@code itemFloats} floats each: parts of at least 16K
     * floats of work, below which handing a part to another thread costs about what it saves.
     */
    public static int grain(int itemFloats) {
        return Math.max(1, (1 << 14) / Math.max(1, itemFloats));
    }

    /** The start of part {@code i} of {@code parts} over {@code count} items (the end of part i − 1). */
    private static int bound(int count, int parts, int i) {
        return (int) ((long) count * i / parts);
    }
}
