package dev.tiletrain.job.checkpoint;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The checkpoints of a run in one directory of any Hadoop FileSystem: {@code iter-00000100/} holds a file
 * per named part and a {@code MANIFEST} of each part's length and CRC-32. A checkpoint is written into
 * {@code _writing-iter-00000100/} and renamed when complete, so a crash leaves only a temporary directory,
 * which readers ignore and the next write removes. The manifest is written last and checked on reading, so
 * even a store whose rename is not atomic (an object store) never yields a half-written checkpoint.
 * One writer per directory.
 */
public final class CheckpointStore {
    private static final String FINAL_PREFIX = "iter-";
    private static final String TEMP_PREFIX = "_writing-";
    private static final Pattern FINAL_NAME = Pattern.compile("iter-(\\d{8,})");
    private static final Pattern PART_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    static final String MANIFEST = "MANIFEST";
    private static final String MANIFEST_HEADER = "tiletrain checkpoint 1";

    private final FileSystem fs;
    private final Path dir;

    public CheckpointStore(FileSystem fs, Path dir) {
        this.fs = fs;
        this.dir = fs.makeQualified(dir);
    }

    /** The store at a Hadoop path or URI ({@code file:/…}, {@code hdfs://…}, a relative path). */
    public static CheckpointStore at(String location, Configuration conf) throws IOException {
        Path path = new Path(location);
        return new CheckpointStore(path.getFileSystem(conf), path);
    }

    /**
     * Checks, before training starts, that a checkpoint of about {@code bytes} can be written here: the
     * directory can be made, a file written in it and removed, and its file system has room (where it says).
     */
    public void requireWritable(long bytes) throws IOException {
        fs.mkdirs(dir);
        Path probe = new Path(dir, TEMP_PREFIX + "probe");
        try (OutputStream out = fs.create(probe, true)) {
            out.write(new byte[] {1});
        }
        fs.delete(probe, false);
        long free = fs.getStatus(dir).getRemaining();
        if (free >= 0 && free < bytes) {
            throw new IOException(dir + " has " + free / 1048576 + " MiB free; a checkpoint needs " + bytes / 1048576
                    + " MiB");
        }
    }

    public Path dir() {
        return dir;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    /** Writes the checkpoint of {@code iteration}, parts in the map's order; returns its directory. */
    public Path write(long iteration, Map<String, PartWriter> parts) throws IOException {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a checkpoint needs at least one part");
        }
        parts.keySet().forEach(CheckpointStore::requirePartName);
        Path target = new Path(dir, name(iteration));
        if (fs.exists(target)) {
            throw new IOException("checkpoint " + target + " exists already");
        }
        removeTemporaries();
        Path temp = new Path(dir, TEMP_PREFIX + name(iteration));
        fs.mkdirs(temp);
        Map<String, Checkpoint.Part> written = new LinkedHashMap<>();
        for (Map.Entry<String, PartWriter> part : parts.entrySet()) {
            written.put(part.getKey(), writePart(new Path(temp, part.getKey()), part.getValue()));
        }
        writePart(new Path(temp, MANIFEST), out -> out.write(manifest(iteration, written)));
        if (!fs.rename(temp, target)) {
            throw new IOException("could not rename " + temp + " to " + target);
        }
        return target;
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Checkpoint> newest() throws IOException {
        List<Long> complete = iterations();
        return complete.isEmpty() ? Optional.empty() : Optional.of(read(complete.get(complete.size() - 1)));
    }

    /** The iterations of the complete checkpoints, ascending. */
    public List<Long> iterations() throws IOException {
        List<Long> complete = new ArrayList<>();
        if (!fs.exists(dir)) {
            return complete;
        }
        for (FileStatus status : fs.listStatus(dir)) {
            Matcher m = FINAL_NAME.matcher(status.getPath().getName());
            if (status.isDirectory() && m.matches() && complete(status.getPath())) {
                complete.add(Long.parseLong(m.group(1)));
            }
        }
        complete.sort(Comparator.naturalOrder());
        return complete;
    }

    /** The checkpoint of {@code iteration}; an incomplete or missing one is an {@link IOException}. */
    public Checkpoint read(long iteration) throws IOException {
        Path path = new Path(dir, name(iteration));
        return new Checkpoint(fs, iteration, path, readManifest(path, iteration));
    }

    private boolean complete(Path checkpoint) throws IOException {
        Map<String, Checkpoint.Part> parts;
        try {
            parts = readManifest(checkpoint, -1);
        } catch (IOException e) {
            return false;
        }
        for (Map.Entry<String, Checkpoint.Part> part : parts.entrySet()) {
            Path file = new Path(checkpoint, part.getKey());
            if (!fs.exists(file) || fs.getFileStatus(file).getLen() != part.getValue().length()) {
                return false;
            }
        }
        return true;
    }

    private Checkpoint.Part writePart(Path file, PartWriter writer) throws IOException {
        CRC32 crc = new CRC32();
        try (FSDataOutputStream raw = fs.create(file, false)) {
            CheckedOutputStream checked = new CheckedOutputStream(raw, crc);
            OutputStream buffered = new BufferedOutputStream(checked, 1 << 16);
            writer.writeTo(new FilterOutputStream(buffered) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush(); // The store closes the file, after the length is known.
                }
            });
            buffered.flush();
            return new Checkpoint.Part(raw.getPos(), crc.getValue());
        }
    }

    private static byte[] manifest(long iteration, Map<String, Checkpoint.Part> parts) {
        StringBuilder text = new StringBuilder(MANIFEST_HEADER).append('\n');
        text.append("iteration\t").append(iteration).append('\n');
        parts.forEach((name, p) -> text.append(name).append('\t').append(p.length()).append('\t')
                .append(Long.toHexString(p.crc())).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The parts a manifest lists; {@code iteration} -1 accepts any. */
    private Map<String, Checkpoint.Part> readManifest(Path checkpoint, long iteration) throws IOException {
        Path file = new Path(checkpoint, MANIFEST);
        if (!fs.exists(file)) {
            throw new IOException("no complete checkpoint at " + checkpoint + " (no " + MANIFEST + ")");
        }
        String[] lines;
        try (var in = fs.open(file)) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
        }
        Map<String, Checkpoint.Part> parts = new LinkedHashMap<>();
        try {
            if (!lines[0].equals(MANIFEST_HEADER) || !lines[1].startsWith("iteration\t")
                    || (iteration >= 0 && Long.parseLong(lines[1].substring(10)) != iteration)) {
                throw new IOException(file + " is not the manifest of iteration " + iteration);
            }
            for (int i = 2; i < lines.length; i++) {
                String[] f = lines[i].split("\t");
                parts.put(f[0], new Checkpoint.Part(Long.parseLong(f[1]), Long.parseLong(f[2], 16)));
            }
        } catch (RuntimeException e) {
            throw new IOException(file + " is malformed: " + e.getMessage(), e);
        }
        if (parts.isEmpty()) {
            throw new IOException(file + " lists no parts");
        }
        return parts;
    }

    private void removeTemporaries() throws IOException {
        if (!fs.exists(dir)) {
            return;
        }
        for (FileStatus status : fs.listStatus(dir)) {
            if (status.getPath().getName().startsWith(TEMP_PREFIX)) {
                fs.delete(status.getPath(), true);
            }
        }
    }

    private static String name(long iteration) {
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration " + iteration + " is negative");
        }
        return FINAL_PREFIX + String.format("%08d", iteration);
    }

    private static void requirePartName(String part) {
        if (!PART_NAME.matcher(part).matches() || part.equals(MANIFEST)) {
            throw new IllegalArgumentException("part name \"" + part + "\" must be letters, digits, . _ - and not "
                    + MANIFEST);
        }
    }
}
