package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Truth;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.net.Backprop;
import dev.tiletrain.ops.net.BackwardStart;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Result mutations of a YOLO label file (lines deleted, duplicated or swapped, a number replaced by NaN, an
 * infinity, garbage or an out-of-range value, the file cut): each either reads, and its boxes then train one
 * pass of {@code conf/tiny-test.cfg} (2 classes, at 32×32) through Darknet's truth placement to a finite loss, or stops
 * with a {@link DataException} of one line naming the file and line; never another exception, a hang or a NaN.
 */
class LabelFuzzTest {
    private static final int CASES = 240;
    private static final int CLASSES = 2;
    private static final String LABELS = """
            0 0.5 0.5 0.2 0.3
            1 0.25 0.7 0.1 0.15
            0 0.9 0.1 0.3 0.2
            1 0.05 0.95 0.1 0.1
            0 0.6 0.4 0.05 0.5
            """;
    private static final String[] NUMBERS = {"NaN", "Infinity", "-Infinity", "1e39", "-1e39", "1e30", "-1", "0", "1",
        "2", "0.5", "1.5", "1e-45", "x", "", "0x1p-2", "1,5", "99999999999", "-0.0"};
    private static final SortedMap<String, Integer> OUTCOMES = new TreeMap<>();
    private static final Model MODEL = tinyTest();
    private static final Augmentation AUGMENTATION = Augmentation.defaults(32, 32);
    private static final HadoopFiles FILES = HadoopFiles.withDefaultConfiguration();

    @TempDir
    static java.nio.file.Path dir;

    record Mutant(int seed, String edits, String text) {
        @Override
        public String toString() {
            return "seed " + seed + ": " + edits;
        }
    }

    private static Model tinyTest() {
        try {
            Cfg cfg = CfgParser.parse(java.nio.file.Path.of(System.getProperty("basedir", ""), "..", "conf", "tiny-test.cfg"));
            // At 32x32 (its last maps 4x4) a pass costs a quarter of one at the cfg's 64x64.
            return ModelBuilder.build(cfg, BatchNorm.Mode.SYNC, 1, new Shape(3, 32, 32));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Mutant> mutants() {
        return IntStream.range(0, CASES).mapToObj(LabelFuzzTest::mutant);
    }

    private static Mutant mutant(int seed) {
        Random r = new Random(seed);
        List<String> lines = new ArrayList<>(LABELS.lines().toList());
        StringBuilder edits = new StringBuilder();
        for (int k = 0, count = 1 + r.nextInt(3); k < count && !lines.isEmpty(); k++) {
            int i = r.nextInt(lines.size());
            switch (r.nextInt(5)) {
                case 0 -> {
                    edits.append("delete ").append(i + 1).append("; ");
                    lines.remove(i);
                }
                case 1 -> {
                    edits.append("duplicate ").append(i + 1).append("; ");
                    lines.add(i, lines.get(i));
                }
                case 2 -> {
                    int j = r.nextInt(lines.size());
                    edits.append("swap ").append(i + 1).append(" and ").append(j + 1).append("; ");
                    lines.set(i, lines.set(j, lines.get(i)));
                }
                case 3, 4 -> {
                    String[] fields = lines.get(i).split(" ", -1);
                    int f = r.nextInt(fields.length);
                    fields[f] = NUMBERS[r.nextInt(NUMBERS.length)];
                    edits.append("line ").append(i + 1).append(" field ").append(f).append(" -> '").append(fields[f])
                            .append("'; ");
                    lines.set(i, String.join(" ", fields));
                }
                default -> throw new IllegalStateException();
            }
        }
        String text = String.join("\n", lines) + "\n";
        if (r.nextInt(4) == 0) {
            int at = r.nextInt(text.length() + 1);
            edits.append("cut at char ").append(at);
            text = text.substring(0, at);
        }
        return new Mutant(seed, edits.toString().strip(), text);
    }

    @ParameterizedTest
    @MethodSource("mutants")
    void aMutatedLabelFileTrainsOrStopsWithAOneLineErrorAtFileAndLine(Mutant m) throws IOException {
        java.nio.file.Path file = dir.resolve("labels-" + m.seed() + ".txt");
        Files.writeString(file, m.text());
        Path path = new Path(file.toUri());
        String outcome = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> run(m, path));
        synchronized (OUTCOMES) {
            OUTCOMES.merge(outcome, 1, Integer::sum);
        }
    }

    private static String run(Mutant m, Path path) {
        LabelFile labels;
        try {
            labels = LabelFile.read(FILES, path, CLASSES);
        } catch (DataException e) {
            assertEquals(1, e.getMessage().lines().count(), m + ": " + e.getMessage());
            assertTrue(e.problem().line() >= 1 && e.getMessage().startsWith(path + ":" + e.problem().line() + ": "),
                    m + ": " + e.getMessage());
            return "error: " + kind(e.problem().reason());
        }
        for (LabelBox b : labels.boxes()) {
            assertTrue(b.w() > 0 && b.h() > 0 && b.x() - b.w() / 2 >= -1e-6 && b.x() + b.w() / 2 <= 1 + 1e-6, m + ": " + b);
        }
        // The boxes as training places them (a random crop, scale and flip of a 64x64 image), then one pass.
        Rng rng = Rng.of(m.seed());
        float[] truth = new float[TruthBoxes.VALUES];
        TruthBoxes.fill(labels.boxes(), Transform.random(AUGMENTATION, 64, 64, rng), rng, truth, 0);
        Tensor x = Tensor.zeros(1, MODEL.network().input());
        Random pixels = new Random(m.seed());
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = pixels.nextFloat();
        }
        float cost = Backprop.run(MODEL.network(), x, new BackwardStart.Loss(new Truth(TruthBoxes.VALUES, truth)),
                new WholeMapPass(true, m.seed(), 1)).cost();
        assertTrue(Float.isFinite(cost), m + ": loss " + cost);
        return "read, trained: " + (labels.boxes().isEmpty() ? "no boxes" : labels.clipped() ? "boxes, some clipped" : "boxes");
    }

    private static String kind(String reason) {
        if (reason.contains("not a finite number")) {
            return "NaN or infinite";
        }
        if (reason.contains("class id")) {
            return "class out of range";
        }
        if (reason.contains("must be positive")) {
            return "width or height not positive";
        }
        if (reason.contains("expected 'class x y w h'")) {
            return "not five fields";
        }
        if (reason.contains("expected an integer class")) {
            return "not a number";
        }
        return "other: " + reason;
    }

    @AfterAll
    static void printCounts() {
        System.out.println("label fuzz: " + OUTCOMES.values().stream().mapToInt(Integer::intValue).sum()
                + " mutations of a 5-box label file");
        OUTCOMES.forEach((k, v) -> System.out.printf("  %4d  %s%n", v, k));
    }
}
