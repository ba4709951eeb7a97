package dev.tiletrain.job.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;

/**
 * The passes of one iteration, overlapped ({@code spark.tiletrain.overlapPasses}): pass k + 1's forward job runs
 * on the executors while the driver computes pass k's untiled tail, and pass k's backward job while the driver
 * computes pass k + 1's tail. Nothing changes but when things run: a pass starts once the pass before it has
 * finished its forward and the one before that has finished (so at most two passes hold tile states on the
 * executors), the driver runs one tail at a time in pass order, and the results come back in pass order for the
 * caller to add up as it would sequentially. Each pass runs on a thread started here, from the caller's thread,
 * so that it carries the caller's Spark job group.
 */
final class PassOverlap {
    /** Where a pass meets the others: around its tail. */
    interface Turn {
        /** The pass's forward is done; returns when the tail may run (the previous pass's tail is done). */
        void beforeTail();

        /** The pass's tail is done. */
        void afterTail();
    }

    /** The turn of a pass that runs alone. */
    static final Turn ALONE = new Turn() {
        @Override
        public void beforeTail() {}

        @Override
        public void afterTail() {}
    };

    private final CountDownLatch[] forwardDone, tailDone, finished;

    private PassOverlap(int passes) {
        forwardDone = latches(passes);
        tailDone = latches(passes);
        finished = latches(passes);
    }

    /** Runs {@code pass(k, turn)} for k = 0 … passes − 1, overlapped; their results in pass order. */
    static <R> List<R> run(int passes, String name, BiFunction<Integer, Turn, R> pass) {
        PassOverlap o = new PassOverlap(passes);
        List<CompletableFuture<R>> results = new ArrayList<>();
        for (int k = 0; k < passes; k++) {
            int p = k;
            CompletableFuture<R> result = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    await(p >= 1 ? o.forwardDone[p - 1] : null);
                    await(p >= 2 ? o.finished[p - 2] : null);
                    result.complete(pass.apply(p, o.turn(p)));
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                } finally {
                    // A pass that failed before its tail must not hold the others back: they fail or finish.
                    o.forwardDone[p].countDown();
                    o.tailDone[p].countDown();
                    o.finished[p].countDown();
                }
            }, name + " pass " + k);
            t.setDaemon(true);
            t.start();
            results.add(result);
        }
        List<R> out = new ArrayList<>();
        for (CompletableFuture<R> r : results) {
            try {
                out.add(r.join());
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause.getMessage(), cause);
            }
        }
        return out;
    }

    private Turn turn(int p) {
        return new Turn() {
            @Override
            public void beforeTail() {
                forwardDone[p].countDown();
                await(p >= 1 ? tailDone[p - 1] : null);
            }

            @Override
            public void afterTail() {
                tailDone[p].countDown();
            }
        };
    }

    private static void await(CountDownLatch latch) {
        if (latch == null) {
            return;
        }
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for another pass", e);
        }
    }

    private static CountDownLatch[] latches(int n) {
        CountDownLatch[] l = new CountDownLatch[n];
        for (int i = 0; i < n; i++) {
            l[i] = new CountDownLatch(1);
        }
        return l;
    }
}
