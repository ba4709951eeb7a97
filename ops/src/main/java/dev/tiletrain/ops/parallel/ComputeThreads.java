package dev.tiletrain.ops.parallel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * How many threads one task's kernels use in this JVM: the convolutions (bands of output rows cut among the
 * threads, each band's im2col, GEMM and col2im on one thread; or, with too few bands, each GEMM split into
 * blocks of C by {@code SplitGemm} and im2col and col2im by channel) and the pointwise passes (batch norm,
 * activations, pooling, split into ranges of planes or elements). One level of parallelism only: when Java splits the work, each part
 * calls a single-threaded OpenBLAS, so a JVM that sets more than 1 must run with
 * {@code OPENBLAS_NUM_THREADS=1} (OpenBLAS reads it once, when it loads; {@link #set} refuses otherwise).
 *
 * <p>The default is 1: every call runs inline on the caller's thread, as before this class existed. A
 * split's parts run on the caller and a pool of {@code threads − 1} daemon threads, so a task on T threads
 * keeps T cores busy. Several callers (tiles run side by side in one process) share
 * the pool; a caller whose parts no pool thread is free to take runs them itself.
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
     * least {@code grain} items each, and returns when every part has run. Which items a part holds depends
     * only on {@code count}, {@code grain} and the thread count, never on timing; which thread runs a part
     * does: the caller and the pool's threads take the parts in turn, and a pool thread that wakes up after
     * the others have taken every part takes none, so the caller never waits for a thread that is not
     * working (on a shared or quota-limited CPU a parked thread can wake milliseconds late). A part runs on
     * one thread from start to end, so state kept per part (partial sums, a seam band) stays as it was.
     */
    public static void split(int count, int grain, Range range) {
        ForkJoinPool p = pool;
        int parts = p == null ? 1 : Math.min(threads, count / Math.max(1, grain));
        if (parts <= 1) {
            range.run(0, count);
            return;
        }
        Parts split = new Parts(count, parts, range, Thread.currentThread());
        for (int i = 1; i < parts; i++) {
            p.execute(split::take);
        }
        split.take();
        split.await();
    }

    /** One split's parts, taken one at a time by whichever thread asks first. */
    private static final class Parts {
        private final int count;
        private final int parts;
        private final Range range;
        private final Thread caller;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger unfinished;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Parts(int count, int parts, Range range, Thread caller) {
            this.count = count;
            this.parts = parts;
            this.range = range;
            this.caller = caller;
            this.unfinished = new AtomicInteger(parts);
        }

        /** Runs parts until none is left to take. */
        void take() {
            for (int i; (i = next.getAndIncrement()) < parts; ) {
                try {
                    range.run(bound(count, parts, i), bound(count, parts, i + 1));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (unfinished.decrementAndGet() == 0) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** On the caller, after {@link #take}: waits for the parts other threads took, and rethrows a part's failure. */
        void await() {
            while (unfinished.get() > 0) {
                LockSupport.park(this);
            }
            Throwable t = failure.get();
            // Range.run declares no checked exception: t is unchecked.
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw (RuntimeException) t;
            }
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
