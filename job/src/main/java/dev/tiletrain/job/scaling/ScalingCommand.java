package dev.tiletrain.job.scaling;

import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;
import dev.tiletrain.tiles.DeviceProfile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code tiletrain scaling-table}: the table and charts of the runs {@code submit/scaling} made. */
public final class ScalingCommand {
    private static final String USAGE = """
            Usage: tiletrain scaling-table --runs DIR [--out DIR] [--profile FILE] [--cfg-dir DIR] [--fit-on REGEX]

            Reads every run directory under --runs (row.properties and the run's iterations CSV, as
            submit/scaling leaves them) and writes scaling.md, scaling.csv and a chart per configuration
            (speed-up and peak memory per device against the number of devices) into --out (default: --runs).
            Each Spark run's prediction is the cost model's now, for devices of --profile (default
            conf/profiles/pi3-emulated.properties) with the run's link rate; its cfg is <model>.cfg in
            --cfg-dir (default conf).
            --fit-on REGEX also fits the profile's convolution GFLOP/s, stage overhead and Spark's cost per MB
            to the Spark runs whose directory names match REGEX (least squares of relative error) and prints
            the fitted rates and every Spark run's error under them, marking the runs the fit saw.
            """;

    private ScalingCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Arguments a = Arguments.parse(args, Set.of("runs", "out", "profile", "cfg-dir", "fit-on"));
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            if (!a.has("runs")) {
                throw new UsageException("--runs DIR is required");
            }
            Path runs = Path.of(a.get("runs", ""));
            DeviceProfile profile = DeviceProfile.load(Path.of(a.get("profile", "conf/profiles/pi3-emulated.properties")));
            ScalingTable table = ScalingTable.read(runs, Path.of(a.get("cfg-dir", "conf")), profile);
            for (Path p : table.write(Path.of(a.get("out", runs.toString())))) {
                out.println("wrote " + p);
            }
            if (a.has("fit-on")) {
                printFit(table.runs(), profile, Pattern.compile(a.get("fit-on", "")), out);
            }
            return 0;
        } catch (UsageException e) {
            err.println("scaling-table: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("scaling-table: " + e.getMessage());
            return 1;
        }
    }

    private static void printFit(List<ScalingRun> runs, DeviceProfile profile, Pattern on, PrintStream out) {
        List<ScalingRun> seen = runs.stream().filter(r -> on.matcher(r.name()).find()).toList();
        DeviceProfile fitted = ProfileFit.fit(seen, profile);
        out.printf("fitted on %d runs: conv.gflops.1=%.1f stage.overhead.ms=%.0f spark.mb.ms=%.1f%n", seen.size(),
                fitted.convGflops(1), fitted.stageOverheadMs(), fitted.sparkMbMs());
        double worst = 0, worstSeen = 0;
        for (ScalingRun r : runs) {
            if (r.plan().isEmpty()) {
                continue;
            }
            double e = (r.predict(fitted).orElseThrow().iterationSeconds() - r.seconds()) / r.seconds();
            boolean in = seen.contains(r);
            out.printf("  %-70s %s %+6.1f %%%n", r.name(), in ? "fit " : "test", 100 * e);
            if (in) {
                worstSeen = Math.max(worstSeen, Math.abs(e));
            } else {
                worst = Math.max(worst, Math.abs(e));
            }
        }
        out.printf("largest error: %.1f %% on the runs fitted, %.1f %% on the others%n", 100 * worstSeen, 100 * worst);
    }
}
