package dev.tiletrain.job.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * Writes a file through a Hadoop FileSystem under a temporary name beside it ({@code _NAME.tmp}, which
 * Hadoop's listings of data treat as hidden), then renames it over the target: a reader sees the old file or
 * the new one, never half of one, and a crash leaves at most the temporary file.
 */
public final class ReplacedFile {
    private ReplacedFile() {}

    public static void write(FileSystem fs, Path target, PartWriter writer) throws IOException {
        Path temp = new Path(target.getParent(), "_" + target.getName() + ".tmp");
        try (OutputStream out = fs.create(temp, true)) {
            writer.writeTo(out);
        }
        // FileSystem.rename will not replace an existing file on every store (HDFS refuses); FileContext's
        // OVERWRITE rename replaces it atomically where the store can.
        FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(temp, target, Options.Rename.OVERWRITE);
    }
}
