package dev.tiletrain.ops.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Each policy at batch numbers whose rate is worked out by hand from get_current_rate. */
class LearningRateTest {
    /** Within two float ulps of a value computed by hand in decimal. */
    private static void near(double expected, float actual) {
        assertEquals((float) expected, actual, 2 * Math.ulp((float) expected));
    }

    @Test
    void constant() {
        LearningRate lr = new LearningRate(.001f, 0, 4, new LearningRate.Constant());
        assertEquals(.001f, lr.at(0));
        assertEquals(.001f, lr.at(1));
        assertEquals(.001f, lr.at(123456789));
    }

    @Test
    void burnInRampsAsPowerOfTheFractionThenHandsOver() {
        LearningRate lr = new LearningRate(.001f, 1000, 4, new LearningRate.Constant());
        assertEquals(0f, lr.at(0));
        assertEquals(.001f / 16, lr.at(500)); // (500/1000)^4 = 1/16, exact in float
        near(.001 / 10000, lr.at(100)); // (0.1)^4
        near(.001 * 0.996005996, lr.at(999)); // (0.999)^4
        assertEquals(.001f, lr.at(1000));
    }

    @Test
    void step() {
        LearningRate lr = new LearningRate(.1f, 0, 4, new LearningRate.Step(100, .5f));
        assertEquals(.1f, lr.at(99));
        assertEquals(.05f, lr.at(100));
        assertEquals(.025f, lr.at(250)); // .1 * .5^2
        assertEquals(.1f / 1024, lr.at(1000)); // .1 * .5^10
    }

    @Test
    void stepsMultiplyTheScalesOfTheStepsReached() {
        LearningRate lr = new LearningRate(.001f, 1000, 4,
                new LearningRate.Steps(new int[] {40000, 60000}, new float[] {.1f, .1f}));
        assertEquals(.001f, lr.at(39999));
        assertEquals(.001f * .1f, lr.at(40000)); // 1e-4, multiplied in float as Darknet does
        near(1e-4, lr.at(40000));
        assertEquals(.001f * .1f * .1f, lr.at(60000));
        near(1e-5, lr.at(80200));
    }

    @Test
    void aNegativeStepIsNeverReachedBecauseDarknetComparesItWithAnUnsignedBatchNumber() {
        // yolov2-tiny-voc: steps=-1,100,20000,30000 scales=.1,10,.1,.1. In Darknet, int -1 > size_t batch is
        // always true, so the schedule stops at its first entry and the rate stays at learning_rate.
        LearningRate lr = new LearningRate(.001f, 0, 4,
                new LearningRate.Steps(new int[] {-1, 100, 20000, 30000}, new float[] {.1f, 10, .1f, .1f}));
        assertEquals(.001f, lr.at(0));
        assertEquals(.001f, lr.at(150));
        assertEquals(.001f, lr.at(35000));
    }

    @Test
    void exp() {
        LearningRate lr = new LearningRate(1, 0, 4, new LearningRate.Exp(.5f));
        assertEquals(1f, lr.at(0));
        assertEquals(.125f, lr.at(3));
        near(.01 * 0.904382075, new LearningRate(.01f, 0, 4, new LearningRate.Exp(.99f)).at(10)); // .99^10
    }

    @Test
    void poly() {
        LearningRate lr = new LearningRate(.01f, 0, 2, new LearningRate.Poly(100));
        assertEquals(.01f, lr.at(0));
        assertEquals(.01f / 4, lr.at(50)); // (1 - 50/100)^2
        near(.01 * .81, lr.at(10)); // (0.9)^2
        assertEquals(0f, lr.at(100));
    }

    @Test
    void sigmoid() {
        LearningRate lr = new LearningRate(1, 0, 4, new LearningRate.Sigmoid(.5f, 10));
        assertEquals(.5f, lr.at(10)); // 1 / (1 + e^0)
        near(0.268941421, lr.at(12)); // 1 / (1 + e^1)
        near(0.0066928509, lr.at(20)); // 1 / (1 + e^5)
    }

    @Test
    void sigmoidBeforeItsStepSeesDarknetsWrappedUnsignedDifference() {
        // batch - step is size_t: 8 - 10 wraps to 2^64 - 2, so gamma·(batch − step) is huge, not −1.
        assertEquals(0f, new LearningRate(1, 0, 4, new LearningRate.Sigmoid(.5f, 10)).at(8));
        assertEquals(1f, new LearningRate(1, 0, 4, new LearningRate.Sigmoid(-.5f, 10)).at(8));
    }

    @Test
    void invalidSchedulesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LearningRate(1, -1, 4, new LearningRate.Constant()));
        assertThrows(IllegalArgumentException.class, () -> new LearningRate.Step(0, .5f));
        assertThrows(IllegalArgumentException.class, () -> new LearningRate.Poly(0));
        assertThrows(IllegalArgumentException.class, () -> new LearningRate.Steps(new int[] {1, 2}, new float[] {.1f}));
        LearningRate lr = new LearningRate(1, 0, 4, new LearningRate.Constant());
        assertThrows(IllegalArgumentException.class, () -> lr.at(-1));
    }
}
