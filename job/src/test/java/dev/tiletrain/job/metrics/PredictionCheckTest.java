package dev.tiletrain.job.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.tiles.Prediction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PredictionCheckTest {
    private static final long MIB = 1048576;
    private static final DriverIteration.JvmPeaks UNKNOWN = new DriverIteration.JvmPeaks(Double.NaN, Double.NaN, Double.NaN);

    /** 10 s an iteration; device 0 (the driver's) 900 MiB, the executors 200 and 250; links 30 and 10 MB. */
    private static Prediction predicted() {
        return new Prediction(new long[] {900 * MIB, 200 * MIB, 250 * MIB}, 4, 0, 5, 0, 1, 0, 0, 0, new long[0], 0, 4,
                new double[] {0}, new long[] {30_000_000, 10_000_000, 10_000_000});
    }

    @Test
    void nothingToSayBeforeAnIterationPastTheWarmUp() {
        PredictionCheck check = new PredictionCheck(predicted(), List.of());
        check.add(30, Map.of(), UNKNOWN);
        check.add(20, Map.of(), UNKNOWN);
        assertEquals("", check.report());
    }

    @Test
    void onAClusterWithoutTestBedTheLargestExecutorsHeapIsHeldAgainstItsTensors() {
        PredictionCheck check = new PredictionCheck(predicted(), List.of());
        for (double s : new double[] {30, 20, 12, 8, 12.5}) {
            check.add(s, Map.of(), new DriverIteration.JvmPeaks(700, 500, 800));
        }
        String report = check.report();
        // Median of iterations 3-5: 12 s against 10 predicted.
        assertTrue(report.contains("10.000 s predicted     12.000 s measured (-16.7%)"), report);
        assertTrue(report.contains("executor tensors / peak heap        250.000 MiB predicted    500.000 MiB measured (-50.0%)"),
                report);
        assertTrue(report.contains("800.000 MiB resident"), report);
    }

    /** A long run's medians take its last five iterations: the JIT compiler of a slow device is busy for ten. */
    @Test
    void aLongRunIsMeasuredOverItsLastFiveIterations() {
        PredictionCheck check = new PredictionCheck(predicted(), List.of());
        for (double s : new double[] {30, 20, 18, 17, 16, 15, 14, 10, 11, 9, 12, 10}) {
            check.add(s, Map.of(), UNKNOWN);
        }
        String report = check.report();
        assertTrue(report.startsWith("predicted vs measured (median of iterations 8-12):"), report);
        assertTrue(report.contains("10.000 s predicted     10.000 s measured (+0.0%)"), report);
        assertEquals(2, PredictionCheck.firstMeasured(7));
        assertEquals(2, PredictionCheck.firstMeasured(3));
        assertEquals(7, PredictionCheck.firstMeasured(12));
    }

    @Test
    void onATestBedEachDeviceIsHeldAgainstItsCgroupPeakAndLinkBytes() {
        PredictionCheck check = new PredictionCheck(predicted(), List.of("device-1", "device-2", "device-3"));
        for (int i = 0; i < 3; i++) {
            check.add(10, Map.of("device-2", new DriverIteration.DeviceSample(12_000_000, 400 * MIB)), UNKNOWN);
        }
        String report = check.report();
        assertTrue(report.contains("device-2 tensors / peak memory      200.000 MiB predicted    400.000 MiB measured (-50.0%)"),
                report);
        assertTrue(report.contains("device-2 link                        10.000 MB predicted     12.000 MB measured (-16.7%)"),
                report);
        assertTrue(!report.contains("device-1") && !report.contains("executor tensors"), report);
    }
}
