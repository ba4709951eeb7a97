package dev.tiletrain.ops.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.layers.Param;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DarknetWeightsTest {
    private static Param param(Param.Role role, float... v) {
        return new Param(role, v);
    }

    private static SectionWeights conv(int n, int c, int k, boolean bn) {
        return new SectionWeights("convolutional", new Param(Param.Role.BIASES, n),
                bn ? new Param(Param.Role.SCALES, n) : null, bn ? new Param(Param.Role.ROLLING_MEAN, n) : null,
                bn ? new Param(Param.Role.ROLLING_VARIANCE, n) : null, new Param(Param.Role.WEIGHTS, n * c * k * k));
    }

    private static SectionWeights connected(int inputs, int outputs, boolean bn) {
        return new SectionWeights("connected", new Param(Param.Role.BIASES, outputs),
                bn ? new Param(Param.Role.SCALES, outputs) : null, bn ? new Param(Param.Role.ROLLING_MEAN, outputs) : null,
                bn ? new Param(Param.Role.ROLLING_VARIANCE, outputs) : null, new Param(Param.Role.WEIGHTS, inputs * outputs));
    }

    /** A small net with every kind of section; same shapes on every call. */
    private static List<SectionWeights> net() {
        return List.of(conv(4, 3, 3, true), SectionWeights.none("maxpool"), conv(6, 4, 1, false),
                SectionWeights.none("route"), connected(10, 5, true), connected(5, 3, false), SectionWeights.none("region"));
    }

    private static void fill(List<SectionWeights> sections, long seed) {
        Random r = new Random(seed);
        for (SectionWeights s : sections) {
            for (Param p : s.fileOrder()) {
                for (int i = 0; i < p.size(); i++) {
                    float v = (float) r.nextGaussian();
                    p.value[i] = p.role == Param.Role.ROLLING_VARIANCE ? Math.abs(v) : v;
                }
            }
        }
    }

    private static byte[] write(WeightsHeader h, List<SectionWeights> sections) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DarknetWeights.write(out, h, sections);
        return out.toByteArray();
    }

    private static WeightsHeader read(byte[] bytes, List<SectionWeights> sections) throws IOException {
        return DarknetWeights.read(new ByteArrayInputStream(bytes), "net.weights", sections);
    }

    static Stream<Arguments> headers() {
        return Stream.of(
                Arguments.of(WeightsHeader.darknet(123_456_789_012L), 20), // what Darknet saves: 0.2.0, uint64 seen
                Arguments.of(new WeightsHeader(0, 2, 5, 7), 20), // AlexeyAB's fork writes 0.2.5
                Arguments.of(new WeightsHeader(0, 1, 0, 64_000), 16), // older files: 0.1.0, int32 seen
                Arguments.of(new WeightsHeader(0, 0, 0, 7), 16),
                Arguments.of(new WeightsHeader(1001, 0, 0, 5), 16), // major not below 1000: int32 seen, transposed
                Arguments.of(new WeightsHeader(0, 1002, 0, 5), 16)); // transposed connected weights
    }

    @ParameterizedTest
    @MethodSource("headers")
    void writeThenReadReproducesValuesAndBytes(WeightsHeader header, int headerBytes) throws IOException {
        List<SectionWeights> original = net();
        fill(original, 7);
        byte[] bytes = write(header, original);
        int floats = original.stream().flatMap(s -> s.fileOrder().stream()).mapToInt(Param::size).sum();
        assertEquals(headerBytes, header.bytes());
        assertEquals(headerBytes + 4 * floats, bytes.length);

        List<SectionWeights> copy = net();
        assertEquals(header, read(bytes, copy));
        for (int s = 0; s < original.size(); s++) {
            List<Param> a = original.get(s).fileOrder(), b = copy.get(s).fileOrder();
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).value, b.get(i).value, "section " + s + " " + a.get(i));
            }
        }
        assertArrayEquals(bytes, write(header, copy));
    }

    @Test
    void theFileLayoutIsDarknets() throws IOException {
        // [convolutional] with batch_normalize: biases, scales, rolling mean, rolling variance, weights.
        SectionWeights conv = new SectionWeights("convolutional", param(Param.Role.BIASES, 1, 2), param(Param.Role.SCALES, 3, 4),
                param(Param.Role.ROLLING_MEAN, 5, 6), param(Param.Role.ROLLING_VARIANCE, 7, 8), param(Param.Role.WEIGHTS, 9, 10));
        // [connected] with batch_normalize: biases, weights, scales, rolling mean, rolling variance.
        SectionWeights fc = new SectionWeights("connected", param(Param.Role.BIASES, 11), param(Param.Role.SCALES, 14),
                param(Param.Role.ROLLING_MEAN, 15), param(Param.Role.ROLLING_VARIANCE, 16), param(Param.Role.WEIGHTS, 12, 13));
        SectionWeights plainConv = new SectionWeights("convolutional", param(Param.Role.BIASES, 17), null, null, null,
                param(Param.Role.WEIGHTS, 18));
        ByteBuffer expected = ByteBuffer.allocate(20 + 18 * 4).order(ByteOrder.LITTLE_ENDIAN);
        expected.putInt(0).putInt(2).putInt(0).putLong(42);
        for (int f = 1; f <= 18; f++) {
            expected.putFloat(f);
        }
        List<SectionWeights> sections = List.of(conv, SectionWeights.none("maxpool"), fc, plainConv);
        assertArrayEquals(expected.array(), write(WeightsHeader.darknet(42), sections));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 2, 0, 0, 0}, Arrays.copyOf(expected.array(), 8));
    }

    @Test
    void connectedWeightsOfATransposedFileAreTransposedOnRead() throws IOException {
        // Major or minor above 1000: the file holds an inputs × outputs matrix (here 2 × 3, element x·3 + y).
        ByteBuffer b = ByteBuffer.allocate(16 + 9 * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putInt(1001).putInt(0).putInt(9);
        b.putFloat(-1).putFloat(-2).putFloat(-3);
        for (int f = 0; f < 6; f++) {
            b.putFloat(f);
        }
        List<SectionWeights> sections = List.of(connected(2, 3, false));
        WeightsHeader h = read(b.array(), sections);
        assertTrue(h.transposed());
        assertFalse(h.wideSeen());
        assertArrayEquals(new float[] {-1, -2, -3}, sections.get(0).biases().value);
        // In memory: outputs × inputs, row y holds the weights of output y.
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, sections.get(0).weights().value);
        assertArrayEquals(b.array(), write(h, sections));
    }

    @Test
    void aTruncatedFileNamesBothFloatCountsAndWhereItEnds() throws IOException {
        List<SectionWeights> sections = net();
        fill(sections, 3);
        byte[] bytes = write(WeightsHeader.darknet(1), sections);
        // 242 floats; drop the last section's last two weights and half a float more.
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 10);
        WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> read(cut, net()));
        assertEquals("net.weights: 239 floats after the header, the network's 7 sections need 242: the file ends in "
                + "layer 5 [connected] weights (cut short, or written for another cfg)", e.getMessage());
        byte[] headerOnly = Arrays.copyOf(bytes, 20);
        assertEquals("net.weights: 0 floats after the header, the network's 7 sections need 242: the file ends in "
                + "layer 0 [convolutional] biases (cut short, or written for another cfg)",
                assertThrows(WeightsFormatException.class, () -> read(headerOnly, net())).getMessage());
        assertEquals("net.weights: the file ends inside the header",
                assertThrows(WeightsFormatException.class, () -> read(Arrays.copyOf(bytes, 18), net())).getMessage());
        assertEquals("net.weights: the file is empty",
                assertThrows(WeightsFormatException.class, () -> read(new byte[0], net())).getMessage());
    }

    @Test
    void bytesLeftOverNameBothFloatCounts() throws IOException {
        byte[] bytes = write(WeightsHeader.darknet(1), net());
        assertEquals("net.weights: 244 floats after the header, the network's 7 sections need 242: the file is for a "
                + "larger network", assertThrows(WeightsFormatException.class,
                        () -> read(Arrays.copyOf(bytes, bytes.length + 8), net())).getMessage());
        assertEquals("net.weights: 242 floats and 3 bytes after the header, the network's 7 sections need 242: the "
                + "file is for a larger network", assertThrows(WeightsFormatException.class,
                        () -> read(Arrays.copyOf(bytes, bytes.length + 3), net())).getMessage());
    }

    @Test
    void aFileForAnotherNetworkNamesBothFloatCounts() throws IOException {
        // The same kinds of sections with other sizes: fewer floats than this network needs, and more.
        List<SectionWeights> smaller = List.of(conv(2, 3, 3, true), SectionWeights.none("maxpool"));
        List<SectionWeights> larger = List.of(conv(8, 3, 3, true), SectionWeights.none("maxpool"));
        byte[] file = write(WeightsHeader.darknet(0), List.of(conv(4, 3, 3, true), SectionWeights.none("maxpool")));
        assertEquals("net.weights: 124 floats after the header, the network's 2 sections need 62: the file is for a "
                + "larger network", assertThrows(WeightsFormatException.class, () -> read(file, smaller)).getMessage());
        assertEquals("net.weights: 124 floats after the header, the network's 2 sections need 248: the file ends in "
                + "layer 0 [convolutional] weights (cut short, or written for another cfg)",
                assertThrows(WeightsFormatException.class, () -> read(file, larger)).getMessage());
    }

    static Stream<Arguments> unknownHeaders() {
        return Stream.of(
                Arguments.of(1, 0, 0, "1.0.0"), Arguments.of(0, 3, 0, "0.3.0"), Arguments.of(999, 999, 0, "999.999.0"),
                Arguments.of(1000, 0, 0, "1000.0.0"), Arguments.of(0x3f800000, 0, 0, "1065353216.0.0"),
                Arguments.of(0, -1, 0, "0.-1.0"), Arguments.of(0, 2, -5, "0.2.-5"));
    }

    @ParameterizedTest
    @MethodSource("unknownHeaders")
    void aHeaderOfAVersionDarknetDoesNotWriteIsAnError(int major, int minor, int revision, String version) throws IOException {
        byte[] bytes = write(WeightsHeader.darknet(0), net());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(major).putInt(minor).putInt(revision);
        assertEquals("net.weights: header version " + version + " is not one Darknet writes (0.0 to 0.2 with any "
                + "revision, major or minor 1001 to 1999 for transposed connected weights): not a Darknet .weights file, "
                + "or a damaged one", assertThrows(WeightsFormatException.class, () -> read(bytes, net())).getMessage());
    }

    @Test
    void aNegativeCountOfImagesSeenIsAnError() throws IOException {
        assertEquals("net.weights: the header's count of images seen, 18446744073709551615, is not a count",
                assertThrows(WeightsFormatException.class, () -> read(write(WeightsHeader.darknet(-1), net()), net()))
                        .getMessage());
        assertEquals("net.weights: the header's count of images seen, -7, is not a count",
                assertThrows(WeightsFormatException.class,
                        () -> read(write(new WeightsHeader(0, 1, 0, -7), net()), net())).getMessage());
    }

    static Stream<Arguments> damagedValues() {
        return Stream.of(
                Arguments.of(0, 5, Float.NaN, "layer 0 [convolutional] scales: value 1 of 4 is NaN: the file is damaged"),
                Arguments.of(4, 7, Float.POSITIVE_INFINITY,
                        "layer 4 [connected] weights: value 2 of 50 is Infinity: the file is damaged"),
                Arguments.of(0, 12, -0.5f, "layer 0 [convolutional] rolling variance: value 0 of 4 is -0.5, and a "
                        + "variance cannot be negative: the file is damaged"));
    }

    @ParameterizedTest
    @MethodSource("damagedValues")
    void aValueThatIsNotFiniteOrANegativeVarianceIsAnError(int section, int floatIndex, float value, String message)
            throws IOException {
        List<SectionWeights> sections = net();
        fill(sections, 5);
        byte[] bytes = write(WeightsHeader.darknet(0), sections);
        int offset = 20 + 4 * (floatIndex + sections.subList(0, section).stream()
                .flatMap(s -> s.fileOrder().stream()).mapToInt(Param::size).sum());
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(offset, value);
        assertEquals("net.weights: " + message,
                assertThrows(WeightsFormatException.class, () -> read(bytes, net())).getMessage());
    }

    @Test
    void aDirectoryOrAMissingFileIsNamed(@TempDir Path dir) {
        assertEquals(dir + ": is a directory, expected a file",
                assertThrows(IOException.class, () -> DarknetWeights.read(dir, net())).getMessage());
        Path missing = dir.resolve("missing.weights");
        assertEquals(missing + ": no such file",
                assertThrows(IOException.class, () -> DarknetWeights.read(missing, net())).getMessage());
    }

    @Test
    void aPrefixOfTheSectionsReadsTheStartOfAFile() throws IOException {
        // A .conv.23-style file holds only the first sections of a network.
        List<SectionWeights> full = net();
        fill(full, 11);
        byte[] prefixFile = write(WeightsHeader.darknet(0), full.subList(0, 3));
        List<SectionWeights> fresh = net();
        read(prefixFile, fresh.subList(0, 3));
        assertArrayEquals(full.get(2).weights().value, fresh.get(2).weights().value);
    }

    @Test
    void readsAndWritesFiles(@TempDir Path dir) throws IOException {
        List<SectionWeights> sections = net();
        fill(sections, 5);
        Path file = dir.resolve("t.weights");
        DarknetWeights.write(file, WeightsHeader.darknet(99), sections);
        List<SectionWeights> copy = net();
        assertEquals(99, DarknetWeights.read(file, copy).seen());
        assertArrayEquals(Files.readAllBytes(file), write(WeightsHeader.darknet(99), copy));
    }

    @Test
    void sectionWeightsMustMatchTheSectionType() {
        Param b = new Param(Param.Role.BIASES, 2), w = new Param(Param.Role.WEIGHTS, 6), s = new Param(Param.Role.SCALES, 2);
        assertThrows(IllegalArgumentException.class, () -> new SectionWeights("maxpool", b, null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new SectionWeights("convolutional", b, null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new SectionWeights("convolutional", b, s, null, null, w));
        assertThrows(IllegalArgumentException.class, () -> new SectionWeights("convolutional", w, null, null, null, b));
        assertThrows(IllegalArgumentException.class, () -> new SectionWeights("connected", b, null, null, null, new Param(Param.Role.WEIGHTS, 5)));
        assertThrows(IllegalArgumentException.class, () -> new SectionWeights("convolutional", b,
                new Param(Param.Role.SCALES, 3), new Param(Param.Role.ROLLING_MEAN, 3), new Param(Param.Role.ROLLING_VARIANCE, 3), w));
        assertThrows(IllegalArgumentException.class, () -> new WeightsHeader(0, 1, 0, 1L << 40));
    }

    @Test
    void sectionWeightsCanBePickedByRoleFromTheLayersParams() {
        Param w = new Param(Param.Role.WEIGHTS, 6), b = new Param(Param.Role.BIASES, 2), s = new Param(Param.Role.SCALES, 2);
        Param m = new Param(Param.Role.ROLLING_MEAN, 2), v = new Param(Param.Role.ROLLING_VARIANCE, 2);
        SectionWeights sw = SectionWeights.of("convolutional", List.of(w, b, s, m, v));
        assertEquals(List.of(b, s, m, v, w), sw.fileOrder());
        assertEquals(List.of(b, w, s, m, v), SectionWeights.of("connected", List.of(w, b, s, m, v)).fileOrder());
        assertEquals(List.of(), SectionWeights.of("maxpool", List.of()).fileOrder());
        assertThrows(IllegalArgumentException.class, () -> SectionWeights.of("convolutional", List.of(w, b, new Param(Param.Role.BIASES, 2))));
    }
}
