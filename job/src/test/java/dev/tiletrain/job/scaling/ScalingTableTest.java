package dev.tiletrain.job.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.tiles.CostModel;
import dev.tiletrain.tiles.PlanStep;
import dev.tiletrain.tiles.TrainingPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScalingTableTest {
    @TempDir
    Path dir;

    @Test
    void speedUpMemoryCutAndPredictionErrorAreMeasuredAgainstTheOneDeviceRun() throws IOException {
        // 1 device: 10 s per iteration after the warm-up (the first two rows are slower and left out).
        ScalingRuns.write(dir, "01", "spark", 1, "1x1", "L0-1", "478mbit",
                ScalingRuns.sparkCsv(new double[] {30, 20, 10, 11, 9}, new double[] {900}));
        // 2 devices: 5 s, device 1 at 450 MiB, device 2 at 300 MiB.
        ScalingRuns.write(dir, "02", "spark", 2, "1x2", "L0-1 L2-3", "478mbit",
                ScalingRuns.sparkCsv(new double[] {30, 20, 5, 5, 5}, new double[] {450, 300}));
        // The same 2 devices on an --insecure cluster: measured against the secured 1-device run, not a base.
        ScalingRuns.write(dir, "04", "spark-insecure", 2, "1x2", "L0-1 L2-3", "478mbit",
                ScalingRuns.sparkCsv(new double[] {30, 20, 4, 4, 4}, new double[] {450, 300}));
        ScalingRuns.write(dir, "03", "in-process", 1, "1x1", "untiled", "478mbit",
                "iteration,wall_ms,local_peak_mb\n1,9000,700\n2,8000,700\n3,7000,600\n4,7000,650\n");

        ScalingTable table = ScalingTable.read(dir, ScalingRuns.CFG_DIR, ScalingRuns.profile());
        List<Path> written = table.write(dir.resolve("out"));

        String md = Files.readString(dir.resolve("out/scaling.md"));
        assertTrue(md.contains("| 2 | spark | 5.00 | 2.00× | - | - | 450 / 300 | 2.00× | 2.0 | 25% |"), md);
        assertTrue(md.contains("| 1 | in-process | 7.00 | 1.43× | - | - | 650 / - |"), md);
        assertTrue(md.contains("| 2 | spark-insecure | 4.00 | 2.50× | - | - | 450 / 300 |"), md);
        // The prediction is the cost model's now, for the row's plan and link, beside the measured 5 s.
        ScalingRun two = table.runs().stream().filter(r -> r.name().equals("02")).findFirst().orElseThrow();
        TrainingPlan plan = two.plan().orElseThrow();
        assertEquals("0-1,2-3", plan.grouping().toString());
        double predicted = new CostModel(ScalingRuns.profile().withLink(478), 2).predict(plan, 4, 2)
                .iterationSeconds();
        assertTrue(md.contains(String.format(Locale.ROOT, "| 5.00 | 2.00× | - | - | 450 / 300 | 2.00× | 2.0 | 25%% | %.2f (%+.0f%%) |",
                predicted, 100 * (predicted - 5) / 5)), md);
        List<String> csv = Files.readAllLines(dir.resolve("out/scaling.csv"));
        assertEquals(5, csv.size());
        assertTrue(written.contains(dir.resolve("out/scaling-1.png")));
        assertTrue(Files.size(dir.resolve("out/scaling-1.png")) > 0);
    }

    /**
     * Amdahl's bound comes from the one-device run's tail: half of its 10 s stays on one device, so 4 devices can
     * be at most 1 / (0.5 + 0.5 / 4) = 1.6× faster; 8 s an iteration on 4 (1.25×) reaches 78 % of it.
     */
    @Test
    void amdahlsBoundIsTheOneDeviceRunsTailShareSpreadOverTheDevices() throws IOException {
        ScalingRuns.write(dir, "01", "spark", 1, "1x1", "L0-1", "478mbit",
                ScalingRuns.sparkCsv(new double[] {30, 20, 10, 10, 10}, new double[] {900}, 0.5));
        ScalingRuns.write(dir, "04", "spark", 4, "2x2", "L0-1", "478mbit",
                ScalingRuns.sparkCsv(new double[] {30, 20, 8, 8, 8}, new double[] {450, 300, 300, 300}, 0.5));

        ScalingTable.read(dir, ScalingRuns.CFG_DIR, ScalingRuns.profile()).write(dir.resolve("out"));

        String md = Files.readString(dir.resolve("out/scaling.md"));
        assertTrue(md.contains("| 1 | spark | 10.00 | 1.00× | 5.00 | 1.00× (100%) |"), md);
        assertTrue(md.contains("| 4 | spark | 8.00 | 1.25× | 4.00 | 1.60× (78%) |"), md);
        List<String> csv = Files.readAllLines(dir.resolve("out/scaling.csv"));
        assertTrue(csv.get(0).contains(",speedup,tail_seconds,amdahl_bound,"), csv.get(0));
        assertTrue(csv.get(2).contains(",1.250,4.000,1.600,"), csv.get(2));
    }

    /** A row's plan is rebuilt with its batch-norm mode: a frozen row's has no sync steps to predict. */
    @Test
    void aFrozenRowIsPredictedWithoutSyncs() throws IOException {
        String csv = ScalingRuns.sparkCsv(new double[] {3, 2, 1}, new double[] {900, 900});
        ScalingRuns.write(dir, "sync", "spark", 2, "1x2", "L0-1", "478mbit", csv);
        Path row = ScalingRuns.write(dir, "frozen", "spark", 2, "1x2", "L0-1", "478mbit", csv).resolve("row.properties");
        Files.writeString(row, Files.readString(row).replace("bn=sync", "bn=frozen"));

        ScalingTable table = ScalingTable.read(dir, ScalingRuns.CFG_DIR, ScalingRuns.profile());
        Map<String, Long> syncs = new HashMap<>();
        for (ScalingRun r : table.runs()) {
            syncs.put(r.name(), r.plan().orElseThrow().steps().stream()
                    .filter(s -> s instanceof PlanStep.SyncForward || s instanceof PlanStep.SyncBackward).count());
        }
        assertTrue(syncs.get("sync") > 0, syncs.toString());
        assertEquals(0, syncs.get("frozen"), syncs.toString());
    }

    @Test
    void aDirectoryWithoutRunsIsAnErrorThatSaysWhatARunIs() {
        IOException e = assertThrows(IOException.class, () -> ScalingTable.read(dir, ScalingRuns.CFG_DIR,
                ScalingRuns.profile()));
        assertTrue(e.getMessage().contains("row.properties"), e.getMessage());
    }

    @Test
    void aRunOfAModelWithoutItsCfgNamesTheFileItLookedFor() throws IOException {
        ScalingRuns.write(dir, "01", "spark", 1, "1x1", "L0-1", "478mbit",
                ScalingRuns.sparkCsv(new double[] {3, 2, 1}, new double[] {900}));
        IOException e = assertThrows(IOException.class, () -> ScalingTable.read(dir, dir, ScalingRuns.profile()));
        assertTrue(e.getMessage().contains(dir.resolve("tiny-test.cfg").toString()), e.getMessage());
    }
}
