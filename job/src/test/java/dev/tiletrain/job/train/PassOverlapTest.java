package dev.tiletrain.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PassOverlap}'s order, with passes that only record what they do: the tails one at a time in pass order,
 * a pass started after the previous pass's forward and the end of the one before that, the results in pass order,
 * and the next pass's forward really running during a tail. Nothing here is timed: the one wait with a time limit
 * only keeps a broken overlap from hanging the suite.
 */
class PassOverlapTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private int at(String event) {
        int i = log.indexOf(event);
        assertTrue(i >= 0, "no " + event + " in " + log);
        return i;
    }

    @ParameterizedTest(name = "{0} passes")
    @ValueSource(ints = {2, 3, 5})
    void tailsRunInPassOrderWhileTheNextForwardRuns(int passes) throws InterruptedException {
        CountDownLatch secondStarted = new CountDownLatch(1);
        boolean[] overlapped = new boolean[1];
        InheritableThreadLocal<String> group = new InheritableThreadLocal<>();
        group.set("iter-7");

        List<Integer> results = PassOverlap.run(passes, "test", (k, turn) -> {
            log.add("start " + k + " in " + group.get());
            if (k == 1) {
                secondStarted.countDown();
            }
            log.add("forward " + k);
            turn.beforeTail();
            log.add("tail " + k);
            if (k == 0) {
                try {
                    overlapped[0] = secondStarted.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            log.add("tail end " + k);
            turn.afterTail();
            log.add("done " + k);
            return 10 * k;
        });

        assertEquals(IntStream.range(0, passes).map(k -> 10 * k).boxed().toList(), results);
        assertTrue(overlapped[0], "pass 1 did not start during pass 0's tail: " + log);
        for (int k = 0; k < passes; k++) {
            at("start " + k + " in iter-7");
            if (k >= 1) {
                assertTrue(at("tail " + k) > at("tail end " + (k - 1)), "tails overlap: " + log);
                assertTrue(at("start " + k + " in iter-7") > at("forward " + (k - 1)), log.toString());
            }
            if (k >= 2) {
                assertTrue(at("start " + k + " in iter-7") > at("done " + (k - 2)), "three passes at once: " + log);
            }
        }
    }

    @ParameterizedTest(name = "pass {0} fails")
    @ValueSource(ints = {0, 1, 2})
    void aFailedPassEndsTheIterationWithItsErrorAndHoldsNoPassBack(int failing) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PassOverlap.run(4, "test", (k, turn) -> {
            if (k == failing) {
                throw new IllegalStateException("pass " + k + " lost its executor");
            }
            turn.beforeTail();
            turn.afterTail();
            return k;
        }));
        assertEquals("pass " + failing + " lost its executor", e.getMessage());
    }
}
