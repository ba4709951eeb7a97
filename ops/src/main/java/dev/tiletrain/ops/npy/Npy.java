package dev.tiletrain.ops.npy;

import dev.tiletrain.ops.io.InputFile;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * NumPy's {@code .npy} format for float32 arrays: {@link #write} produces what {@code numpy.save} writes for a
 * C-contiguous {@code float32} array (version 1.0); {@link #read} also accepts versions 2.0 and 3.0.
 */
public final class Npy {
    private Npy() {}

    public static NpyArray read(Path file) throws IOException {
        try (InputStream in = InputFile.open(file)) {
            return read(in, file.toString());
        }
    }

    /** {@code name} is the file name messages use. */
    public static NpyArray read(InputStream input, String name) throws IOException {
        InputStream in = new BufferedInputStream(input);
        byte[] magic = readExactly(in, 8, name, "magic string");
        if (!Arrays.equals(magic, 0, 6, NpyHeader.MAGIC, 0, 6)) {
            throw new NpyFormatException(name + ": not a .npy file (no \\x93NUMPY magic string)");
        }
        int major = magic[6] & 0xFF, minor = magic[7] & 0xFF;
        if (minor != 0 || major < 1 || major > 3) {
            throw new NpyFormatException(name + ": format version " + major + "." + minor + " is not 1.0, 2.0 or 3.0");
        }
        byte[] len = readExactly(in, major == 1 ? 2 : 4, name, "header length");
        ByteBuffer lb = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lb.getShort() & 0xFFFF : lb.getInt() & 0xFFFFFFFFL;
        if (headerLength > Integer.MAX_VALUE - 8) {
            throw new NpyFormatException(name + ": header length " + headerLength + " is too large");
        }
        byte[] header = readExactly(in, (int) headerLength, name, "header");
        String text = new String(header, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int[] shape = NpyHeader.parse(text, name);
        int count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        byte[] bytes = readExactly(in, count * 4, name, "array data of " + count + " floats");
        float[] data = new float[count];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new NpyFormatException(name + ": " + extra + " bytes follow the " + count + " floats of the array");
        }
        return new NpyArray(shape, data);
    }

    public static void write(Path file, NpyArray array) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, array);
        }
    }

    public static void write(OutputStream output, NpyArray array) throws IOException {
        BufferedOutputStream out = new BufferedOutputStream(output);
        out.write(NpyHeader.encode(array.shape()));
        ByteBuffer b = ByteBuffer.allocate(array.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(array.data());
        out.write(b.array());
        out.flush();
    }

    private static byte[] readExactly(InputStream in, int n, String name, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new NpyFormatException(name + ": the file ends inside the " + what + " (" + b.length + " of " + n + " bytes)");
        }
        return b;
    }
}
