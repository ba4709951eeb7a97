package dev.tiletrain.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.net.Trace;
import dev.tiletrain.ops.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A training pass on several compute threads gives the pass on one thread: output, input gradient and
 * every parameter gradient within relative 1e-6 (normwise: the largest difference against the largest
 * magnitude of the same tensor). Only a GEMM whose sum is split, and a weight gradient whose bands are
 * cut among the threads, add in another order; every other split keeps each value's arithmetic. The map
 * is large enough for every kind of split: GEMM columns, rows and sums, and im2col and col2im by channel
 * (layers with one band per image); bands cut among the threads, col2im in two rounds (the 64→160
 * convolution: 3 bands of its 48² map per image); batch norm, activation and pool planes.
 */
class ComputeThreadsTest {
    private static final String CFG = """
            [net]
            width=96
            height=96
            channels=3
            [convolutional]
            batch_normalize=1
            filters=64
            size=3
            stride=1
            pad=1
            activation=leaky
            [maxpool]
            size=2
            stride=2
            [convolutional]
            batch_normalize=1
            filters=160
            size=3
            stride=1
            pad=1
            activation=leaky
            [convolutional]
            filters=192
            size=1
            stride=1
            pad=0
            activation=linear
            [maxpool]
            size=2
            stride=1
            """;

    @AfterEach
    void oneThreadAgain() {
        ComputeThreads.set(1);
    }

    @ParameterizedTest
    @CsvSource({"2", "3"})
    void aPassOnSeveralThreadsEqualsThePassOnOne(int threads) {
        List<float[]> one = pass(1), several = pass(threads);
        assertEquals(one.size(), several.size());
        for (int i = 0; i < one.size(); i++) {
            float[] e = one.get(i), a = several.get(i);
            double largest = 0, worst = 0;
            for (int j = 0; j < e.length; j++) {
                largest = Math.max(largest, Math.abs(e[j]));
                worst = Math.max(worst, Math.abs(e[j] - a[j]));
            }
            assertTrue(worst <= 1e-6 * largest, "tensor " + i + ": differs by " + worst + " of " + largest);
        }
    }

    @Test
    void splitCoversEveryItemOnceInContiguousParts() {
        ComputeThreads.set(3);
        AtomicIntegerArray seen = new AtomicIntegerArray(1000);
        List<int[]> parts = Collections.synchronizedList(new ArrayList<>());
        ComputeThreads.split(1000, 10, (from, to) -> {
            parts.add(new int[] {from, to});
            for (int i = from; i < to; i++) {
                seen.incrementAndGet(i);
            }
        });
        assertEachOnce(seen);
        assertEquals(3, parts.size());
        List<int[]> small = Collections.synchronizedList(new ArrayList<>());
        ComputeThreads.split(25, 10, (from, to) -> small.add(new int[] {from, to}));
        assertEquals(2, small.size(), "25 items of grain 10 make 2 parts");
    }

    @Test
    void aPartsFailureReachesTheCaller() {
        ComputeThreads.set(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ComputeThreads.split(1000, 10, (from, to) -> {
            if (from >= 500) {
                throw new IllegalStateException("part from " + from);
            }
        }));
        assertEquals("part from 500", e.getMessage());
    }

    /**
     * A split inside a part (a caller that is itself one of the pool's threads, or whose pool thread is busy)
     * runs the parts no other thread takes itself: every item once, and no wait for a thread that never comes.
     */
    @Test
    void aSplitInsideAPartRunsEveryItemOnce() {
        ComputeThreads.set(2);
        AtomicIntegerArray seen = new AtomicIntegerArray(4 * 1000);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> ComputeThreads.split(4, 1, (first, last) -> {
            for (int outer = first; outer < last; outer++) {
                int base = outer * 1000;
                ComputeThreads.split(1000, 10, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        seen.incrementAndGet(base + i);
                    }
                });
            }
        }));
        assertEachOnce(seen);
    }

    /** With the pool's thread held by another split, a split runs all its parts on its caller instead of waiting. */
    @Test
    void aSplitDoesNotWaitForABusyPool() throws InterruptedException {
        ComputeThreads.set(2);
        CountDownLatch held = new CountDownLatch(1), release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            // The holder's own thread may take both parts; it splits again until the pool's thread takes one.
            while (held.getCount() > 0) {
                ComputeThreads.split(2, 1, (from, to) -> {
                    if (Thread.currentThread() instanceof ForkJoinWorkerThread) {
                        held.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
            }
        });
        holder.start();
        try {
            assertTrue(held.await(30, TimeUnit.SECONDS), "the pool's thread never took a part");
            AtomicIntegerArray seen = new AtomicIntegerArray(1000);
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> ComputeThreads.split(1000, 10, (from, to) -> {
                for (int i = from; i < to; i++) {
                    seen.incrementAndGet(i);
                }
            }));
            assertEachOnce(seen);
        } finally {
            release.countDown();
            holder.join();
        }
    }

    @Test
    void refusesFewerThanOneThread() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComputeThreads.set(0));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
    }

    private static void assertEachOnce(AtomicIntegerArray seen) {
        for (int i = 0; i < seen.length(); i++) {
            assertEquals(1, seen.get(i), "item " + i);
        }
    }

    /** Output, input gradient and the parameter gradients in order, of one pass on {@code threads}. */
    private static List<float[]> pass(int threads) {
        ComputeThreads.set(threads);
        Network net = ModelBuilder.build(CfgParser.parse(CFG, "threads.cfg"),
                BatchNorm.Mode.SYNC, 5).network();
        Random random = new Random(3);
        Tensor x = random(Tensor.zeros(2, net.input()), random);
        WholeMapPass pass = new WholeMapPass(true, 1);
        Trace trace = net.forward(x, pass);
        Tensor out = trace.output(net.blocks().size() - 1);
        Tensor dx = net.backward(trace, random(Tensor.zeros(2, net.output()), random), pass);
        List<float[]> all = new ArrayList<>(List.of(out.data, dx.data));
        for (Param p : net.params()) {
            if (p.role.trainable) {
                all.add(pass.gradOrNull(p));
            }
        }
        return all;
    }

    private static Tensor random(Tensor t, Random random) {
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = random.nextFloat() * 2 - 1;
        }
        return t;
    }
}
