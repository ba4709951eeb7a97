package dev.tiletrain.job.scaling;

import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;
import dev.tiletrain.tiles.DeviceProfile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
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
            Beside each Spark run's speed-up over the same configuration on one device: the seconds per
            iteration of the untiled tail on the driver, and Amdahl's bound, the speed-up its devices would
            reach if all but the one-device run's tail were divided among them, with the share of it reached.
            Each Spark run's prediction is the cost model's now, for devices of --profile (default
            conf/profiles/pi3-emulated.properties) with the run's link rate; its cfg is <model>.cfg in
            --cfg-dir (default conf).
            --fit-on REGEX also fits the profile's convolution GFLOP/s, Spark's cost per stage and per pass and
            its cost per MB to the Spark runs whose directory names match REGEX (least squares of relative
            error) and prints the fitted rates, every Spark run's error under them and, for each run the fit
            saw, its error under a fit without it.
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

    /**
     * The fit on the runs matching {@code on}, and each Spark run's error under it; for a run the fit saw, also
     * its error under a fit without it (leave one out), the honest measure of how the model predicts a run it
     * was not fitted to.
     */
    private static void printFit(List<ScalingRun> runs, DeviceProfile profile, Pattern on, PrintStream out) {
        List<ScalingRun> seen = runs.stream().filter(r -> r.plan().isPresent() && on.matcher(r.name()).find()).toList();
        DeviceProfile fitted = ProfileFit.fit(seen, profile);
        out.printf("fitted on %d runs: conv.gflops.1=%.1f stage.overhead.ms=%.0f pass.overhead.ms=%.0f spark.mb.ms=%.1f%n",
                seen.size(), fitted.convGflops(1), fitted.stageOverheadMs(), fitted.passOverheadMs(), fitted.sparkMbMs());
        out.printf("  %-70s %8s %14s%n", "run", "error", "left out");
        List<Double> errors = new ArrayList<>(), unseen = new ArrayList<>();
        for (ScalingRun r : runs) {
            if (r.plan().isEmpty()) {
                continue;
            }
            double e = error(r, fitted);
            errors.add(e);
            String left = "-";
            if (seen.contains(r)) {
                double l = error(r, ProfileFit.fit(seen.stream().filter(x -> x != r).toList(), profile));
                unseen.add(l);
                left = String.format("%+7.1f %%", 100 * l);
            } else {
                unseen.add(e);
            }
            out.printf("  %-70s %+6.1f %% %14s%n", r.name(), 100 * e, left);
        }
        out.printf("error of the fit: largest %.1f %%, root mean square %.1f %%, within 10 %%: %d of %d%n",
                100 * largest(errors), 100 * rms(errors), within(errors, 0.1), errors.size());
        out.printf("error on runs the fit did not see (left out): largest %.1f %%, root mean square %.1f %%, within 10 %%: "
                + "%d of %d%n", 100 * largest(unseen), 100 * rms(unseen), within(unseen, 0.1), unseen.size());
    }

    private static double error(ScalingRun r, DeviceProfile p) {
        return (r.predict(p).orElseThrow().iterationSeconds() - r.seconds()) / r.seconds();
    }

    private static double largest(List<Double> errors) {
        return errors.stream().mapToDouble(Math::abs).max().orElse(0);
    }

    private static double rms(List<Double> errors) {
        return Math.sqrt(errors.stream().mapToDouble(e -> e * e).average().orElse(0));
    }

    private static long within(List<Double> errors, double bound) {
        return errors.stream().filter(e -> Math.abs(e) <= bound).count();
    }
}
