package dev.tiletrain.job.report;

import dev.tiletrain.job.cli.HadoopLocation;
import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** {@code tiletrain report DIR}: rebuilds a run's report from the metrics CSVs in its directory. */
public final class ReportCommand {
    private static final String USAGE = """
            Usage: tiletrain report DIR

            Rebuilds DIR/report.html and its PNG charts from the metrics CSVs in DIR (a checkpoint directory of
            the Spark job or the --out directory of tiletrain train; a local path or any Hadoop FileSystem URI):
            loss and its running average, mAP, images/s, halo MB, wall time per iteration, time per stage kind,
            peak memory and link bytes per device (each when its columns are present), and the plan table.
            """;

    private ReportCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Arguments a = Arguments.parseWithOperands(args, Set.of());
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            if (a.operands().size() != 1) {
                throw new UsageException("expected one DIR, got " + a.operands().size());
            }
            Path dir = HadoopLocation.of(a.operands().get(0));
            FileSystem fs = dir.getFileSystem(new Configuration());
            if (!fs.getFileStatus(dir).isDirectory()) {
                throw new UsageException(dir + " is not a directory");
            }
            out.println("wrote " + RunReport.write(fs, dir));
            return 0;
        } catch (UsageException e) {
            err.println("report: " + e.getMessage());
            err.println("Try 'tiletrain report --help'.");
            return 2;
        } catch (java.io.FileNotFoundException e) {
            err.println("report: no such directory: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("report: " + e);
            return 1;
        }
    }
}
