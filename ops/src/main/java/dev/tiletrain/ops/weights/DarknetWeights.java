package dev.tiletrain.ops.weights;

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

    private DarknetWeights() {}

    public static WeightsHeader read(Path file, List<SectionWeights> sections) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), sections);
        }
    }

    /** {@code name} is the file name messages use. */
    public static WeightsHeader read(InputStream input, String name, List<SectionWeights> sections) throws IOException {
        InputStream in = new BufferedInputStream(input);
        byte[] buf = new byte[CHUNK_FLOATS * 4];
        int major = readInt(in, buf, name), minor = readInt(in, buf, name), revision = readInt(in, buf, name);
        boolean wide = new WeightsHeader(major, minor, revision, 0).wideSeen();
        long seen = wide ? readLong(in, buf, name) : readInt(in, buf, name);
        WeightsHeader header = new WeightsHeader(major, minor, revision, seen);
        for (int s = 0; s < sections.size(); s++) {
            SectionWeights sw = sections.get(s);
            for (Param p : sw.fileOrder()) {
                readFloats(in, buf, p.value, name + ": layer " + s + " [" + sw.type() + "] " + p.role.name().toLowerCase());
                if (p == sw.weights() && header.transposed() && sw.type().equals(SectionWeights.CONNECTED)) {
                    // transpose_matrix(l.weights, l.inputs, l.outputs) in load_connected_weights
                    transpose(p.value, p.size() / sw.biases().size(), sw.biases().size());
                }
            }
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new WeightsFormatException(name + ": " + extra + " bytes are left after the " + sections.size()
                    + " sections of the network: the file is for a larger network");
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

    private static void readFloats(InputStream in, byte[] buf, float[] dst, String what) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        int done = 0;
        while (done < dst.length) {
            int n = Math.min(CHUNK_FLOATS, dst.length - done);
            int got = in.readNBytes(buf, 0, n * 4);
            if (got < n * 4) {
                int found = done + got / 4;
                throw new WeightsFormatException(what + ": expected "
                        + dst.length + " floats, found " + found + (got % 4 == 0 ? "" : " and " + got % 4 + " stray bytes")
                        + ": the file ends early");
            }
            b.clear();
            b.asFloatBuffer().get(dst, done, n);
            done += n;
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
