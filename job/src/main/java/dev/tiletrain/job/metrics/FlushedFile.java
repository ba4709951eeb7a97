package dev.tiletrain.job.metrics;

import java.io.IOException;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A new file whose {@code hflush} makes what was written readable at once. On a checksummed file system (the
 * local one) the checksum stream holds back the last partial 512-byte chunk on a flush, so a running job's
 * rows would appear only at close; such files are written to the raw file system beneath, without a
 * checksum file.
 */
final class FlushedFile {
    private FlushedFile() {}

    static FSDataOutputStream create(FileSystem fs, Path file) throws IOException {
        FileSystem target = fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
        return target.create(file, false);
    }
}
