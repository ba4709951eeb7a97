package dev.tiletrain.ops.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.cfg.NetConfig;
import dev.tiletrain.ops.cfg.ShippedCfgs;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.LossLayer;
import dev.tiletrain.ops.layers.Region;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.tensor.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Result mutations of the shipped cfgs (lines deleted, duplicated or swapped, numbers changed, the file cut):
 * each either builds a network, which then trains one forward and backward pass at a small size to a finite loss
 * when it ends in a loss layer (or is refused for training with the trainers' one-line error when it does
 * not), or stops with a {@link CfgException} naming file:line; never another exception, a hang or a NaN.
 */
class CfgFuzzTest {
    private static final int CASES = 520;
    /**
     * The input of a case's pass: small, to keep it cheap, yet large enough for the cfg (the YOLOv2 ones
     * downsample by 32, tiny-test by 8).
     */
    private static Shape input(String cfg) {
        int size = cfg.equals("tiny-test.cfg") ? 32 : 64;
        return new Shape(3, size, size);
    }
    /**
     * Which cfg a case mutates, by weight: the cheap ones more often (a yolov2-voc case initializes 50M
     * weights, a yolov2-tiny-voc one 16M, a tiny-test one 30K).
     */
    private static final Map<String, Integer> CFGS = Map.of("tiny-test.cfg", 13, "yolov2-tiny-voc.cfg", 3,
            "yolov2-voc-prefix16.cfg", 3, "yolov2-voc.cfg", 1);
    private static final String[] NUMBERS = {"0", "-1", "1", "2", "3", "7", "64", "0.5", "-0.5", "1.5", "1e30", "2147483647",
        "99999999999", "nan", "x", ""};
    private static final FuzzCounts OUTCOMES = new FuzzCounts();

    /** One case: the seed that made it, the cfg it mutates, what was done, the mutated text. */
    record Mutant(int seed, String cfg, String edits, String text) {
        @Override
        public String toString() {
            return "seed " + seed + " " + cfg + ": " + edits;
        }
    }

    static Stream<Mutant> mutants() {
        return IntStream.range(0, CASES).mapToObj(CfgFuzzTest::mutant);
    }

    private static Mutant mutant(int seed) {
        Random r = new Random(seed);
        String name = pick(r);
        List<String> lines;
        try {
            lines = new java.util.ArrayList<>(Files.readAllLines(ShippedCfgs.path(name), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder edits = new StringBuilder();
        int count = r.nextInt(10) < 6 ? 1 : r.nextInt(10) < 7 ? 2 : 3;
        String cut = null;
        for (int k = 0; k < count && !lines.isEmpty(); k++) {
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
                case 3 -> {
                    int line = numberLine(lines, r);
                    String number = NUMBERS[r.nextInt(NUMBERS.length)];
                    edits.append("line ").append(line + 1).append(" number -> '").append(number).append("'; ");
                    lines.set(line, lines.get(line).replaceFirst("-?[0-9.]+(e-?[0-9]+)?(?=[^=]*$)", number));
                }
                default -> {
                    String text = String.join("\n", lines) + "\n";
                    int at = r.nextInt(text.length());
                    edits.append("cut at char ").append(at).append("; ");
                    cut = text.substring(0, at);
                }
            }
            if (cut != null) {
                break;
            }
        }
        String text = cut != null ? cut : String.join("\n", lines) + "\n";
        return new Mutant(seed, name, edits.toString().strip(), text);
    }

    private static String pick(Random r) {
        int total = CFGS.values().stream().mapToInt(Integer::intValue).sum(), at = r.nextInt(total);
        for (String name : new TreeMap<>(CFGS).keySet()) {
            at -= CFGS.get(name);
            if (at < 0) {
                return name;
            }
        }
        throw new IllegalStateException();
    }

    /** A key=value line whose value holds a number (some line when there is none left). */
    private static int numberLine(List<String> lines, Random r) {
        for (int tries = 0; tries < 100; tries++) {
            int i = r.nextInt(lines.size());
            if (lines.get(i).matches("[^#;\\[]*=.*[0-9].*")) {
                return i;
            }
        }
        return r.nextInt(lines.size());
    }

    @ParameterizedTest
    @MethodSource("mutants")
    void aMutatedCfgBuildsAndTrainsOrStopsWithAOneLineErrorAtFileAndLine(Mutant m) {
        // A hang guard, far above what a case takes (~0.1 s; a YOLOv2 one ~1 s).
        OUTCOMES.add(assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(m)));
    }

    private static String run(Mutant m) {
        Model model;
        Cfg cfg;
        try {
            cfg = CfgParser.parse(m.text(), m.cfg());
            NetConfig.of(cfg);
            model = ModelBuilder.build(cfg, BatchNorm.Mode.SYNC, m.seed(), input(m.cfg()));
        } catch (CfgException e) {
            return "error: " + checkedKind(e, m);
        }
        List<Block> blocks = model.network().blocks();
        LossLayer loss = blocks.get(blocks.size() - 1).loss();
        if (!(loss instanceof Region)) {
            // What both trainers do first with a network: a one-line error at its last section.
            CfgException e = assertThrows(CfgException.class, () -> TrainableNetwork.detectionLoss(cfg, model));
            checkedKind(e, m);
            if (loss == null) {
                return "built, refused for training: no loss layer";
            }
        }
        try {
            TrainableNetwork.checkBatchNorm(cfg, model, BatchNorm.Mode.SYNC, 1);
        } catch (CfgException e) {
            return "built, refused for training: " + checkedKind(e, m);
        }
        float cost = OneTrainingPass.cost(model, m.seed());
        assertTrue(Float.isFinite(cost), m + ": loss " + cost);
        return loss instanceof Region ? "built, trained: [region]" : "built, trained: other loss (refused by the trainers)";
    }

    /** Checks {@code e} is the one-line error naming the mutated file and a line of it, and says what kind. */
    private static String checkedKind(CfgException e, Mutant m) {
        String message = e.getMessage();
        assertEquals(1, message.lines().count(), m + ": " + message);
        assertTrue(message.startsWith(m.cfg() + ":" + e.line() + ": "), m + ": " + message);
        assertTrue(e.line() >= 1 && e.line() <= Math.max(1, m.text().split("\n", -1).length), m + ": " + message);
        return kind(message);
    }

    private static String kind(String message) {
        Map<String, String> kinds = new java.util.LinkedHashMap<>();
        kinds.put("training needs a network", "no [region] at the end");
        kinds.put("batch-normalizes", "batch norm of one value");
        kinds.put("has no such key", "unknown key");
        kinds.put("a key of [", "unknown key");
        kinds.put("section type", "unknown or unsupported section");
        kinds.put("Darknet layer tiletrain", "unknown or unsupported section");
        kinds.put("first section", "missing [net]");
        kinds.put("[net] may only", "missing [net]");
        kinds.put("no sections", "missing [net]");
        kinds.put("the file is empty", "missing [net]");
        kinds.put("no layers after", "no layers");
        kinds.put("is not an integer", "not a number");
        kinds.put("is not a number", "not a number");
        kinds.put("range", "not a number");
        kinds.put("is not key=value", "no '=' or no value");
        kinds.put("no value", "no '=' or no value");
        kinds.put("has no key", "no '=' or no value");
        kinds.put("not a section header", "no '=' or no value");
        kinds.put("comes before", "no '=' or no value");
        kinds.put("empty list element", "no '=' or no value");
        kinds.put("missing, and the default", "required key missing");
        kinds.put("needs steps= and scales=", "required key missing");
        kinds.put("needs layers=", "required key missing");
        kinds.put("less than", "out of range");
        kinds.put("is not in [", "out of range");
        kinds.put("not positive", "out of range");
        kinds.put("drops everything", "out of range");
        kinds.put("subdivisions leaves no image", "out of range");
        kinds.put("only groups=1", "unsupported value");
        kinds.put("only type=sse", "unsupported value");
        kinds.put("only 4 (x, y, w, h)", "unsupported value");
        kinds.put("not supported", "unsupported value");
        kinds.put("is not one of", "unsupported value");
        kinds.put("Java array", "too large");
        kinds.put("maximum heap", "too large");
        kinds.put("scales for", "values disagree");
        kinds.put("anchors has", "values disagree");
        kinds.put("input channels", "values disagree");
        kinds.put("is not an earlier layer", "values disagree");
        for (Map.Entry<String, String> k : kinds.entrySet()) {
            if (message.contains(k.getKey())) {
                return k.getValue();
            }
        }
        // A layer refusing its input: a window larger than the map, a stride that does not divide it, ...
        return "layer does not fit its input";
    }

    @AfterAll
    static void printCounts() {
        OUTCOMES.print("cfg fuzz, mutations of the shipped cfgs");
    }
}
