package dev.tiletrain.ops.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.ShippedCfgs;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.FuzzCounts;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.model.OneTrainingPass;
import dev.tiletrain.ops.tensor.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Result mutations of a {@code .weights} file of {@code conf/tiny-test.cfg} (cut, bytes appended, deleted or
 * inserted, a header field or a float replaced, a bit flipped): each either reads, and then trains one pass to a
 * finite loss, or stops with a {@link WeightsFormatException} of one line naming the file; never another
 * exception, a hang or a NaN.
 */
class WeightsFuzzTest {
    private static final int CASES = 240;
    private static final String NAME = "tiny-test.weights";
    private static final Cfg CFG = ShippedCfgs.parse("tiny-test.cfg");
    private static final byte[] FILE = file();
    private static final int[] HEADER_VALUES = {0, 1, 2, 3, 5, 1000, 1001, -1, Integer.MAX_VALUE, 0x3f800000};
    private static final float[] FLOATS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0, -1, 1e30f,
        -3e38f, 1e9f, 100, 1e-40f};
    private static final FuzzCounts OUTCOMES = new FuzzCounts();

    /** One case: its seed, what was done, the mutated bytes. */
    record Mutant(int seed, String edits, byte[] bytes) {
        @Override
        public String toString() {
            return "seed " + seed + ": " + edits;
        }
    }

    /** Weights as training writes them: Darknet's initialization from seed 1, 1000 images seen. */
    private static byte[] file() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            DarknetWeights.write(out, WeightsHeader.darknet(1000), model().sections());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** At 32×32 (its last maps 4×4): the weights are those of any input size, a pass costs a quarter of 64×64's. */
    private static Model model() {
        return ModelBuilder.build(CFG, BatchNorm.Mode.SYNC, 1, new Shape(3, 32, 32));
    }

    static Stream<Mutant> mutants() {
        return IntStream.range(0, CASES).mapToObj(WeightsFuzzTest::mutant);
    }

    private static Mutant mutant(int seed) {
        Random r = new Random(seed);
        byte[] b = FILE.clone();
        StringBuilder edits = new StringBuilder();
        for (int k = 0, count = 1 + r.nextInt(2); k < count; k++) {
            int at = r.nextInt(b.length + 1);
            switch (r.nextInt(7)) {
                case 0 -> {
                    edits.append("cut at ").append(at).append("; ");
                    b = Arrays.copyOf(b, at);
                }
                case 1 -> {
                    byte[] extra = randomBytes(r, 1 + r.nextInt(64));
                    edits.append("append ").append(extra.length).append("; ");
                    b = splice(b, b.length, 0, extra);
                }
                case 2 -> {
                    int n = Math.min(1 + r.nextInt(64), b.length - Math.min(at, b.length));
                    edits.append("delete ").append(n).append(" at ").append(at).append("; ");
                    b = splice(b, Math.min(at, b.length), n, new byte[0]);
                }
                case 3 -> {
                    byte[] extra = randomBytes(r, 1 + r.nextInt(64));
                    edits.append("insert ").append(extra.length).append(" at ").append(at).append("; ");
                    b = splice(b, at, 0, extra);
                }
                case 4 -> {
                    int field = r.nextInt(4), value = HEADER_VALUES[r.nextInt(HEADER_VALUES.length)];
                    edits.append("header int ").append(field).append(" = ").append(value).append("; ");
                    if (b.length >= 4 * field + 4) {
                        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4 * field, value);
                    }
                }
                case 5 -> {
                    int floats = (b.length - 20) / 4;
                    float value = r.nextBoolean() ? FLOATS[r.nextInt(FLOATS.length)] : Float.intBitsToFloat(r.nextInt());
                    if (floats > 0) {
                        int i = r.nextInt(floats);
                        edits.append("float ").append(i).append(" = ").append(value).append("; ");
                        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(20 + 4 * i, value);
                    }
                }
                default -> {
                    if (b.length > 0) {
                        int i = r.nextInt(b.length), bit = r.nextInt(8);
                        edits.append("flip bit ").append(bit).append(" of byte ").append(i).append("; ");
                        b[i] ^= (byte) (1 << bit);
                    }
                }
            }
        }
        return new Mutant(seed, edits.toString().strip(), b);
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** {@code b} with {@code remove} bytes at {@code at} replaced by {@code insert}. */
    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    @ParameterizedTest
    @MethodSource("mutants")
    void aMutatedWeightsFileReadsAndTrainsOrStopsWithAOneLineError(Mutant m) {
        OUTCOMES.add(assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(m)));
    }

    private static String run(Mutant m) throws IOException {
        Model model = model();
        WeightsHeader header;
        try {
            header = DarknetWeights.read(new ByteArrayInputStream(m.bytes()), NAME, model.sections());
        } catch (WeightsFormatException e) {
            assertEquals(1, e.getMessage().lines().count(), m + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith(NAME + ": "), m + ": " + e.getMessage());
            return "error: " + kind(e.getMessage());
        }
        assertTrue(header.known() && header.seen() >= 0, m + ": " + header);
        float cost = OneTrainingPass.cost(model, m.seed());
        assertTrue(Float.isFinite(cost), m + ": loss " + cost);
        return Arrays.equals(m.bytes(), FILE) ? "read, unchanged" : "read (changed values or header), trained";
    }

    private static String kind(String message) {
        if (message.contains("empty") || message.contains("inside the header")) {
            return "truncated header";
        }
        if (message.contains("header version")) {
            return "unknown header version";
        }
        if (message.contains("count of images seen")) {
            return "negative seen";
        }
        if (message.contains("ends in layer")) {
            return "too few floats (truncated or another cfg)";
        }
        if (message.contains("larger network")) {
            return "too many floats (another cfg)";
        }
        if (message.contains("beyond") || message.contains("variance cannot")) {
            return "implausible value";
        }
        if (message.contains("NaN") || message.contains("Infinity")) {
            return "NaN or infinite value";
        }
        return "other: " + message;
    }

    @AfterAll
    static void printCounts() {
        OUTCOMES.print("weights fuzz, mutations of " + NAME + " (" + FILE.length + " bytes)");
    }
}
