package dev.tiletrain.ops.weights;

import dev.tiletrain.ops.io.InputFile;
import dev.tiletrain.ops.layers.Param;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Darknet's {@code .weights} format ({@code load_weights_upto} / {@code save_weights_upto} in
 * {@code parser.c}): a {@link WeightsHeader}, then for each cfg section after {@code [net]}, in order, its
 * parameters as little-endian float32 in {@link SectionWeights#fileOrder()}. Reading fills the given
 * parameters; the file must hold exactly what they need (Darknet reads silently past a short or long file).
 * To read the first n sections only (a {@code .conv.23} file), pass those n.
 */
public final class DarknetWeights {
    private static final int CHUNK_FLOATS = 1 << 14;
    /**
     * The largest magnitude a value may have. Trained Darknet weights and statistics lie many orders below; a
     * damaged file (flipped exponent bits) lies above, and a float32 forward pass of such values overflows
     * its sums of squares to a NaN loss.
     */
    static final float MAX_MAGNITUDE = 1e10f;

    private DarknetWeights() {}

    public static WeightsHeader read(Path file, List<SectionWeights> sections) throws IOException {
        try (InputStream in = InputFile.open(file)) {
            return read(in, file.toString(), sections);
        }
    }

    /**
     * {@code name} is the file name messages use. Refused with a {@link WeightsFormatException}: a header of a
     * version Darknet does not write or a negative {@code seen}, fewer or more floats than {@code sections}
     * need (both counts named), and a value that is not finite, beyond ±{@link #MAX_MAGNITUDE} or a negative
     * rolling variance (a damaged file: training from it gives a NaN loss).
     */
    public static WeightsHeader read(InputStream input, String name, List<SectionWeights> sections) throws IOException {
        InputStream in = new BufferedInputStream(input);
        byte[] buf = new byte[CHUNK_FLOATS * 4];
        in.mark(1);
        if (in.read() < 0) {
            throw new WeightsFormatException(name + ": the file is empty");
        }
        in.reset();
        int major = readInt(in, buf, name), minor = readInt(in, buf, name), revision = readInt(in, buf, name);
        WeightsHeader version = new WeightsHeader(major, minor, revision, 0);
        if (!version.known()) {
            throw new WeightsFormatException(name + ": header version " + major + "." + minor + "." + revision
                    + " is not one Darknet writes (" + WeightsHeader.KNOWN_VERSIONS + "): not a Darknet .weights file, or a damaged one");
        }
        long seen = version.wideSeen() ? readLong(in, buf, name) : readInt(in, buf, name);
        if (seen < 0) {
            throw new WeightsFormatException(name + ": the header's count of images seen, "
                    + (version.wideSeen() ? Long.toUnsignedString(seen) : Long.toString(seen)) + ", is not a count");
        }
        WeightsHeader header = new WeightsHeader(major, minor, revision, seen);
        long needed = sections.stream().flatMap(sw -> sw.fileOrder().stream()).mapToLong(Param::size).sum();
        long done = 0;
        for (int s = 0; s < sections.size(); s++) {
            SectionWeights sw = sections.get(s);
            for (Param p : sw.fileOrder()) {
                String part = "layer " + s + " [" + sw.type() + "] " + p.role.name().toLowerCase().replace('_', ' ');
                int got = readFloats(in, buf, p.value);
                if (got < p.size()) {
                    throw new WeightsFormatException(name + ": " + (done + got) + " floats after the header, the network's "
                            + sections.size() + " sections need " + needed + ": the file ends in " + part
                            + " (cut short, or written for another cfg)");
                }
                done += got;
                checkValues(p, name + ": " + part);
                if (p == sw.weights() && header.transposed() && sw.type().equals(SectionWeights.CONNECTED)) {
                    // transpose_matrix(l.weights, l.inputs, l.outputs) in load_connected_weights
                    transpose(p.value, p.size() / sw.biases().size(), sw.biases().size());
                }
            }
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new WeightsFormatException(name + ": " + (needed + extra / 4) + " floats"
                    + (extra % 4 == 0 ? "" : " and " + extra % 4 + " bytes") + " after the header, the network's "
                    + sections.size() + " sections need " + needed + ": the file is for a larger network");
        }
        return header;
    }

    public static void write(Path file, WeightsHeader header, List<SectionWeights> sections) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, header, sections);
        }
    }

    public static void write(OutputStream output, WeightsHeader header, List<SectionWeights> sections) throws IOException {
        BufferedOutputStream out = new BufferedOutputStream(output, CHUNK_FLOATS * 4);
        ByteBuffer b = ByteBuffer.allocate(CHUNK_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(header.major()).putInt(header.minor()).putInt(header.revision());
        if (header.wideSeen()) {
            b.putLong(header.seen());
        } else {
            b.putInt((int) header.seen());
        }
        out.write(b.array(), 0, b.position());
        for (SectionWeights sw : sections) {
            for (Param p : sw.fileOrder()) {
                float[] v = p.value;
                if (p == sw.weights() && header.transposed() && sw.type().equals(SectionWeights.CONNECTED)) {
                    v = v.clone();
                    transpose(v, sw.biases().size(), v.length / sw.biases().size());
                }
                writeFloats(out, b, v);
            }
        }
        out.flush();
    }

    /** Darknet's {@code transpose_matrix}: a rows × cols row-major matrix becomes its cols × rows transpose. */
    private static void transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int x = 0; x < rows; x++) {
            for (int y = 0; y < cols; y++) {
                t[y * rows + x] = a[x * cols + y];
            }
        }
        System.arraycopy(t, 0, a, 0, a.length);
    }

    /** Fills {@code dst} from the file; returns how many whole floats there were (fewer: the file ended). */
    private static int readFloats(InputStream in, byte[] buf, float[] dst) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        int done = 0;
        while (done < dst.length) {
            int n = Math.min(CHUNK_FLOATS, dst.length - done);
            int got = in.readNBytes(buf, 0, n * 4);
            b.clear();
            b.asFloatBuffer().get(dst, done, got / 4);
            done += got / 4;
            if (got < n * 4) {
                return done;
            }
        }
        return done;
    }

    private static void checkValues(Param p, String what) throws WeightsFormatException {
        float[] v = p.value;
        for (int i = 0; i < v.length; i++) {
            String problem = !Float.isFinite(v[i]) ? ""
                    : Math.abs(v[i]) > MAX_MAGNITUDE ? ", beyond ±" + MAX_MAGNITUDE + " where no trained network's values lie"
                    : p.role == Param.Role.ROLLING_VARIANCE && v[i] < 0 ? ", and a variance cannot be negative" : null;
            if (problem != null) {
                throw new WeightsFormatException(what + ": value " + i + " of " + v.length + " is " + v[i] + problem
                        + ": the file is damaged");
            }
        }
    }

    private static void writeFloats(OutputStream out, ByteBuffer b, float[] v) throws IOException {
        for (int done = 0; done < v.length; ) {
            int n = Math.min(CHUNK_FLOATS, v.length - done);
            b.clear();
            b.asFloatBuffer().put(v, done, n);
            out.write(b.array(), 0, n * 4);
            done += n;
        }
    }

    private static int readInt(InputStream in, byte[] buf, String name) throws IOException {
        readHeaderBytes(in, buf, 4, name);
        return ByteBuffer.wrap(buf, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static long readLong(InputStream in, byte[] buf, String name) throws IOException {
        readHeaderBytes(in, buf, 8, name);
        return ByteBuffer.wrap(buf, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static void readHeaderBytes(InputStream in, byte[] buf, int n, String name) throws IOException {
        if (in.readNBytes(buf, 0, n) < n) {
            throw new WeightsFormatException(name + ": the file ends inside the header");
        }
    }
}
