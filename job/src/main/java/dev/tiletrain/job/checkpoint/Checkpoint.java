package dev.tiletrain.job.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A complete checkpoint: its iteration and parts, each read back only if its length and CRC-32 match the manifest. */
public final class Checkpoint {
    /** A part's length and CRC-32 as the manifest records them. */
    record Part(long length, long crc) {}

    private final FileSystem fs;
    private final long iteration;
    private final Path dir;
    private final Map<String, Part> parts;

    Checkpoint(FileSystem fs, long iteration, Path dir, Map<String, Part> parts) {
        this.fs = fs;
        this.iteration = iteration;
        this.dir = dir;
        this.parts = Map.copyOf(parts);
    }

    public long iteration() {
        return iteration;
    }

    public Path dir() {
        return dir;
    }

    public Set<String> parts() {
        return parts.keySet();
    }

    /** The part's bytes; a part whose content does not match the manifest is an {@link IOException}. */
    public byte[] read(String part) throws IOException {
        Part expected = parts.get(part);
        if (expected == null) {
            throw new IOException(dir + " has no part \"" + part + "\" (it has " + parts.keySet() + ")");
        }
        if (expected.length() > Integer.MAX_VALUE - 8) {
            throw new IOException(new Path(dir, part) + " is too large to read into one array");
        }
        byte[] bytes = new byte[(int) expected.length()];
        try (InputStream in = fs.open(new Path(dir, part))) {
            int n = in.readNBytes(bytes, 0, bytes.length);
            if (n != bytes.length || in.read() != -1) {
                throw new IOException(new Path(dir, part) + " does not have the " + expected.length()
                        + " bytes its manifest records");
            }
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        if (crc.getValue() != expected.crc()) {
            throw new IOException(new Path(dir, part) + " is corrupt: its CRC-32 does not match the manifest");
        }
        return bytes;
    }
}
