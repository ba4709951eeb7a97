package dev.tiletrain.ops.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NpyTest {
    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] header, float... data) {
        ByteBuffer b = ByteBuffer.allocate(header.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header);
        for (float f : data) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static byte[] write(NpyArray a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, a);
        return out.toByteArray();
    }

    private static NpyArray read(byte[] bytes) throws IOException {
        return Npy.read(new ByteArrayInputStream(bytes), "a.npy");
    }

    @Test
    void writesTheBytesNumpySaveWrites() throws IOException {
        // numpy.save of np.arange(6, dtype='<f4').reshape(2, 3): magic, version 1.0, header length 118
        // (uint16 LE), the dict, room for the first dimension to grow to 21 digits (20 spaces after "2"),
        // spaces up to byte 127 and a newline, so that the data starts at byte 128.
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"; // 59 characters
        byte[] header = latin1("\u0093NUMPY\u0001\u0000\u0076\u0000" + dict + " ".repeat(20 + 38) + "\n");
        assertEquals(128, header.length);
        byte[] expected = concat(header, 0, 1, 2, 3, 4, 5);
        assertArrayEquals(expected, write(new NpyArray(new int[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5})));
        assertEquals(new NpyArray(new int[] {2, 3}, new float[] {0, 1, 2, 3, 4, 5}), read(expected));
    }

    @Test
    void oneDimensionalAndScalarHeadersUsePythonsTupleRepr() throws IOException {
        String vector = "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"; // 57 characters
        assertArrayEquals(latin1("\u0093NUMPY\u0001\u0000\u0076\u0000" + vector + " ".repeat(20 + 40) + "\n"),
                Arrays.copyOf(write(new NpyArray(new int[] {5}, new float[5])), 128));
        String scalar = "{'descr': '<f4', 'fortran_order': False, 'shape': (), }"; // 55 characters, no growth room
        assertArrayEquals(concat(latin1("\u0093NUMPY\u0001\u0000\u0076\u0000" + scalar + " ".repeat(62) + "\n"), 2.5f),
                write(new NpyArray(new int[] {}, new float[] {2.5f})));
    }

    static Stream<Arguments> arrays() {
        return Stream.of(
                Arguments.of((Object) new int[] {2, 3, 4}),
                Arguments.of((Object) new int[] {}),
                Arguments.of((Object) new int[] {0}),
                Arguments.of((Object) new int[] {7}),
                Arguments.of((Object) new int[] {1234567, 1}),
                Arguments.of((Object) new int[] {1, 3, 5, 2, 1}));
    }

    @ParameterizedTest
    @MethodSource("arrays")
    void roundTrip(int[] shape) throws IOException {
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] data = new float[n];
        Random r = new Random(n);
        for (int i = 0; i < n; i++) {
            data[i] = (float) r.nextGaussian();
        }
        NpyArray a = new NpyArray(shape, data);
        byte[] bytes = write(a);
        assertEquals(0, (bytes.length - 4 * n) % 64, "data starts 64-byte aligned");
        assertEquals(a, read(bytes));
        assertArrayEquals(bytes, write(read(bytes)));
    }

    @Test
    void readsHeadersOfOlderNumpyAndOfFormats2And3() throws IOException {
        // NumPy before 1.14 padded to 16 bytes and wrote no growth room: 8 + 2 + 57 + 12 spaces + newline = 80.
        String old = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }" + " ".repeat(12) + "\n";
        assertEquals(new NpyArray(new int[] {2}, new float[] {1, 2}),
                read(concat(latin1("\u0093NUMPY\u0001\u0000\u0046\u0000" + old), 1, 2)));
        // Version 2.0: a uint32 header length; 3.0: the same with UTF-8 text. Keys in any order, Python 2 longs.
        String any = "{'shape': (1L, 2L), 'fortran_order': False, 'descr': '<f4'}   \n";
        byte[] len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(any.length()).array();
        for (char major : new char[] {2, 3}) {
            byte[] prefix = latin1("\u0093NUMPY" + major + "\u0000");
            byte[] header = ByteBuffer.allocate(prefix.length + 4 + any.length()).put(prefix).put(len).put(latin1(any)).array();
            assertEquals(new NpyArray(new int[] {1, 2}, new float[] {3, 4}), read(concat(header, 3, 4)));
        }
    }

    private static byte[] v1(String dict, float... data) {
        return concat(latin1("\u0093NUMPY\u0001\u0000" + (char) (dict.length() + 1) + "\u0000" + dict + "\n"), data);
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of(v1("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 0, 0),
                        "a.npy: dtype '<f8' is not little-endian float32 ('<f4')"),
                Arguments.of(v1("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 0),
                        "a.npy: dtype '>f4' is not little-endian float32 ('<f4')"),
                Arguments.of(v1("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 0, 0, 0, 0),
                        "a.npy: the array is in Fortran order; only C order is supported"),
                Arguments.of(v1("{'descr': '<f4', 'shape': (1,), }", 0),
                        "a.npy: the header has keys [descr, shape], not [descr, fortran_order, shape]"),
                Arguments.of(v1("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", 0),
                        "a.npy: fortran_order is not a bool: 0"),
                Arguments.of(v1("{'descr': '<f4', 'fortran_order': False, 'shape': (3), }", 0, 0, 0),
                        "a.npy: shape is not a tuple: 3"),
                Arguments.of(v1("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"),
                        "a.npy: shape (-1,) is not a tuple of sizes"),
                Arguments.of(v1("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }"),
                        "a.npy: shape (100000, 100000) has more than 536870909 elements"),
                Arguments.of(v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 1),
                        "a.npy: the file ends inside the array data of 2 floats (4 of 8 bytes)"),
                Arguments.of(v1("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 1, 2),
                        "a.npy: 4 bytes follow the 1 floats of the array"),
                Arguments.of(v1("['descr']"), "a.npy: cannot parse the header at character 0: unexpected '[' in ['descr']"),
                Arguments.of(latin1("\u0093NUMPX\u0001\u0000\u0000\u0000"), "a.npy: not a .npy file (no \\x93NUMPY magic string)"),
                Arguments.of(latin1("\u0093NUMPY\u0004\u0000\u0000\u0000\u0000\u0000"), "a.npy: format version 4.0 is not 1.0, 2.0 or 3.0"),
                Arguments.of(latin1("\u0093NUMPY\u0001"), "a.npy: the file ends inside the magic string (7 of 8 bytes)"));
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void unsupportedOrBrokenFilesAreClearErrors(byte[] bytes, String message) {
        assertEquals(message, assertThrows(NpyFormatException.class, () -> read(bytes)).getMessage());
    }

    @Test
    void readsAndWritesFiles(@TempDir Path dir) throws IOException {
        NpyArray a = new NpyArray(new int[] {3, 1}, new float[] {1, -2, 3});
        Path f = dir.resolve("x.npy");
        Npy.write(f, a);
        assertEquals(a, Npy.read(f));
    }

    @Test
    void theShapeMustMatchTheData() {
        assertThrows(IllegalArgumentException.class, () -> new NpyArray(new int[] {2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new NpyArray(new int[] {-1}, new float[0]));
    }
}
