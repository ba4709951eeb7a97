package dev.tiletrain.job.scaling;

import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/** {@code tiletrain scaling-table}: the table and charts of the runs {@code submit/scaling} made. */
public final class ScalingCommand {
    private static final String USAGE = """
            Usage: tiletrain scaling-table --runs DIR [--out DIR]

            Reads every run directory under --runs (row.properties, the run's iterations CSV and prediction,
            as submit/scaling leaves them) and writes scaling.md, scaling.csv and a chart per configuration
            (speed-up and peak memory per device against the number of devices) into --out (default: --runs).
            """;

    private ScalingCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Arguments a = Arguments.parse(args, Set.of("runs", "out"));
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            if (!a.has("runs")) {
                throw new UsageException("--runs DIR is required");
            }
            Path runs = Path.of(a.get("runs", ""));
            for (Path p : ScalingTable.read(runs).write(Path.of(a.get("out", runs.toString())))) {
                out.println("wrote " + p);
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
}
