package dev.tiletrain.job.cli;

import org.apache.hadoop.fs.Path;

/** A command-line location as a Hadoop path: a URI as it is, a local path made absolute. */
public final class HadoopLocation {
    private HadoopLocation() {}

    public static Path of(String text) {
        return text.contains("://") ? new Path(text) : new Path(java.nio.file.Path.of(text).toAbsolutePath().toUri());
    }
}
