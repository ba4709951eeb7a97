package dev.tiletrain.job.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.tiles.DeviceProfile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileFitTest {
    @TempDir
    Path dir;

    /** Runs that differ in compute, stages and bytes moved, each measured at exactly what {@code truth} predicts. */
    private List<ScalingRun> runsAsPredictedBy(DeviceProfile truth) throws IOException {
        String[][] rows = {
            {"a", "1", "1x1", "L0-1", "478mbit", "2"},
            {"b", "2", "1x2", "L0-1", "100mbit", "1"},
            {"c", "4", "2x2", "L0-1 L2-3", "478mbit", "2"},
            {"d", "2", "2x2", "L0-4", "478mbit", "4"},
            {"e", "4", "2x2", "L0-1", "100mbit", "8"},
        };
        RunNetworks networks = new RunNetworks(ScalingRuns.CFG_DIR);
        List<ScalingRun> runs = new java.util.ArrayList<>();
        for (String[] r : rows) {
            // First written with a placeholder time, to rebuild its plan; then with the time the truth predicts.
            int devices = Integer.parseInt(r[1]), passes = Integer.parseInt(r[5]);
            Path run = ScalingRuns.write(dir, r[0], "spark", devices, r[2], r[3], r[4], passes,
                    ScalingRuns.sparkCsv(new double[] {1, 1, 1}, new double[devices]));
            double s = ScalingRun.read(run, networks).predict(truth).orElseThrow().iterationSeconds();
            ScalingRuns.write(dir, r[0], "spark", devices, r[2], r[3], r[4], passes,
                    ScalingRuns.sparkCsv(new double[] {9 * s, 9 * s, s, s, s}, new double[devices]));
            runs.add(ScalingRun.read(run, networks));
        }
        return runs;
    }

    @Test
    void recoversTheRatesThatProducedTheTimes() throws IOException {
        DeviceProfile start = ScalingRuns.profile(); // 10 GFLOP/s, 200 ms a stage, 900 a pass, 5 a MB
        DeviceProfile truth = start.with(3.5, 750, 2500, 40);
        DeviceProfile fitted = ProfileFit.fit(runsAsPredictedBy(truth), start);
        assertEquals(3.5, fitted.convGflops(1), 3.5e-8);
        assertEquals(750, fitted.stageOverheadMs(), 750e-8);
        assertEquals(2500, fitted.passOverheadMs(), 2500e-8);
        assertEquals(40, fitted.sparkMbMs(), 40e-8);
    }

    @Test
    void tooFewRunsOrRunsThatDoNotSeparateTheRatesAreRefusedWithTheReason() throws IOException {
        List<ScalingRun> runs = runsAsPredictedBy(ScalingRuns.profile());
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
                () -> ProfileFit.fit(runs.subList(0, 3), ScalingRuns.profile()));
        assertTrue(few.getMessage().contains("at least 4 Spark runs, got 3"), few.getMessage());
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> ProfileFit.fit(List.of(runs.get(0), runs.get(0), runs.get(0), runs.get(0)), ScalingRuns.profile()));
        assertTrue(same.getMessage().contains("do not"), same.getMessage());
    }
}
