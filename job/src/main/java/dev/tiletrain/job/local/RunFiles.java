package dev.tiletrain.job.local;

import dev.tiletrain.job.checkpoint.DarknetCheckpoints;
import dev.tiletrain.job.metrics.TrainingCsv;
import dev.tiletrain.job.report.RunReport;
import dev.tiletrain.ops.model.Model;
import java.io.Closeable;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What the in-process trainer leaves in its output directory (through the Hadoop FileSystem): the plan table,
 * {@code local-<start ms>-iterations.csv} row by row, Darknet-named weights at each checkpoint and at the end,
 * and the run report, rebuilt at each checkpoint and at the end.
 */
final class RunFiles implements Closeable {
    private final FileSystem fs;
    private final Path dir;
    private final TrainingCsv csv;

    private RunFiles(FileSystem fs, Path dir, TrainingCsv csv) {
        this.fs = fs;
        this.dir = dir;
        this.csv = csv;
    }

    static RunFiles create(Path dir, String plan) throws IOException {
        FileSystem fs = dir.getFileSystem(new Configuration());
        fs.mkdirs(dir);
        RunReport.writePlan(fs, dir, plan);
        return new RunFiles(fs, dir, TrainingCsv.create(fs, dir, "local-" + System.currentTimeMillis()));
    }

    Path dir() {
        return dir;
    }

    void iteration(TrainingCsv.Row row) throws IOException {
        csv.write(row);
    }

    /** {@code <cfg>_<iteration>.weights} and {@code _last}, then the report; returns the first. */
    Path checkpoint(long iteration, long seen, Model model) throws IOException {
        Path weights = DarknetCheckpoints.writeIteration(fs, dir, iteration, seen, model);
        RunReport.write(fs, dir);
        return weights;
    }

    /** {@code <cfg>_final.weights}, then the report; returns the weights. */
    Path finish(long seen, Model model) throws IOException {
        Path weights = DarknetCheckpoints.writeFinal(fs, dir, seen, model);
        RunReport.write(fs, dir);
        return weights;
    }

    Path report() {
        return new Path(dir, RunReport.PAGE);
    }

    @Override
    public void close() throws IOException {
        csv.close();
    }
}
