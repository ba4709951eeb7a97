package dev.tiletrain.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.job.cluster.LoopbackClusterExtension;
import dev.tiletrain.job.conf.ConfException;
import dev.tiletrain.job.conf.TiletrainConf;
import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.WeightsFormatException;
import dev.tiletrain.ops.weights.WeightsHeader;
import dev.tiletrain.tiles.Prediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the Spark job decides before any executor work, from the files its keys name: the images the initial
 * weights have seen (Darknet's schedule goes on from them unless clearSeen), the iterations left before
 * max_batches, and an error naming the key for a file that is missing, a directory or garbage.
 */
class TrainSetupTest {
    @TempDir
    static Path dir;
    private static TrainingFixture fixture;

    @BeforeAll
    static void data() throws IOException {
        fixture = TrainingFixture.generate(dir.resolve("data"));
    }

    /** tiny-test.cfg's weights from Darknet's initialization, their header counting {@code seen} images. */
    private static Path weights(long seen) throws IOException {
        Path file = dir.resolve("seen-" + seen + ".weights");
        Model m = ModelBuilder.build(CfgParser.parse(fixture.cfg), BatchNorm.Mode.SYNC, 3);
        DarknetWeights.write(file, WeightsHeader.darknet(seen), m.sections());
        return file;
    }

    private static TrainSetup setup(Map<String, String> changes) throws IOException {
        Map<String, String> settings = new HashMap<>(fixture.sparkSettings(2, dir.resolve("checkpoints")));
        settings.putAll(changes);
        settings.values().removeIf(String::isEmpty);
        return TrainSetup.of(TiletrainConf.parse(settings), new Configuration(), List.of(), 4);
    }

    @Test
    void theWeightsFilesImagesSeenAreKeptUnlessClearSeen() throws IOException {
        String file = weights(123_456).toString();
        assertEquals(123_456, setup(Map.of("spark.tiletrain.weights", file)).seen());
        assertEquals(0, setup(Map.of("spark.tiletrain.weights", file, "spark.tiletrain.clearSeen", "true")).seen());
        assertEquals(0, setup(Map.of()).seen());
    }

    @Test
    void withoutIterationsTrainingRunsUpToMaxBatchesCountedFromTheWeights() throws IOException {
        // tiny-test.cfg: max_batches=300; batch 2, so 400 images seen are batch number 200.
        Map<String, String> fromWeights = Map.of("spark.tiletrain.iterations", "",
                "spark.tiletrain.weights", weights(400).toString());
        assertEquals(100, setup(fromWeights).iterations());
        Map<String, String> cleared = new HashMap<>(fromWeights);
        cleared.put("spark.tiletrain.clearSeen", "true");
        assertEquals(300, setup(cleared).iterations());
        ConfException done = assertThrows(ConfException.class, () -> setup(Map.of("spark.tiletrain.iterations", "",
                "spark.tiletrain.weights", weights(123_456).toString())));
        assertEquals("spark.tiletrain.iterations is required: the weights have seen 123456 images, batch number 61728, "
                + "and " + fixture.cfg + " stops at max_batches=300 (or set spark.tiletrain.clearSeen=true to start the "
                + "schedule over)", done.getMessage());
    }

    static Stream<Arguments> badFiles() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.bin"), "#!? not a cfg, weights or data file");
        Path garbageData = Files.writeString(dir.resolve("garbage.data"), "#!? not a .data file");
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        Path missing = dir.resolve("missing");
        return Stream.of(
                Arguments.of("model", missing, "spark.tiletrain.model=" + missing + ": no such file"),
                Arguments.of("model", dir, "spark.tiletrain.model=" + dir + ": is a directory, expected a file"),
                Arguments.of("model", garbage, "garbage.bin:1: no sections: a cfg starts with [net]"), // all a comment
                Arguments.of("model", empty, "empty:1: the file is empty"),
                Arguments.of("weights", missing, "spark.tiletrain.weights=" + missing + ": no such file"),
                Arguments.of("weights", dir, "spark.tiletrain.weights=" + dir + ": is a directory, expected a file"),
                Arguments.of("weights", garbage, "garbage.bin: header version "),
                Arguments.of("weights", empty, "empty: the file is empty"),
                Arguments.of("data", missing, "spark.tiletrain.data=" + missing + ": list file does not exist"),
                Arguments.of("data", dir, "spark.tiletrain.data=" + dir + ": is a directory, expected a file"),
                Arguments.of("data", empty, "spark.tiletrain.data=" + empty + ": list names no images"),
                Arguments.of("data", garbageData, "spark.tiletrain.data=" + garbageData + ": no classes= key"),
                Arguments.of("data", Path.of(missing + ".data"), "spark.tiletrain.data=" + missing + ".data: no such file"),
                Arguments.of("profile", garbage, "spark.tiletrain.profile=" + garbage + ": " + garbage + ": missing key "),
                Arguments.of("profile", missing, "spark.tiletrain.profile=" + missing + ": neither a file nor a profile"));
    }

    /**
     * Overlapped passes hold two passes' tile states: a plan whose predicted memory fits the profile once but not
     * twice is refused before any work, naming the key (run anyway, Spark drops cached states and recomputes).
     */
    @Test
    void overlappedPassesRefuseAPlanThatFitsOnlyOnce() throws IOException {
        Path profile = dir.resolve("profile.properties");
        String text = emulatedProfile(profile);
        Map<String, String> settings = Map.of("spark.tiletrain.profile", profile.toString(), "spark.tiletrain.subdivisions",
                "2");
        long peak = setup(settings).prediction().orElseThrow().peakMemory();
        Files.writeString(profile, text.replaceAll("(?m)^memory\\.mb=.*$", "memory.mb=" + 1.5 * peak / 1048576));
        Map<String, String> overlapped = new HashMap<>(settings);
        overlapped.put("spark.tiletrain.overlapPasses", "true");
        assertEquals(2, setup(settings).subdivisions(), "one pass at a time fits");
        ConfException e = assertThrows(ConfException.class, () -> setup(overlapped));
        assertTrue(e.getMessage().startsWith("spark.tiletrain.overlapPasses=true holds two passes' tile states at once"),
                e.getMessage());
        Files.writeString(profile, text.replaceAll("(?m)^memory\\.mb=.*$", "memory.mb=" + 2.5 * peak / 1048576));
        assertEquals(2, setup(overlapped).subdivisions(), "twice fits");
    }

    /**
     * auto (the default) overlaps two or more passes when both passes' tile states fit the profile's memory, and then
     * predicts the overlapped iteration if the plan leaves the driver's device free (fewer tiles than devices: 2 of 4
     * here); one pass, or memory for one pass's states only, keeps them one at a time.
     */
    @Test
    void autoOverlapsPassesThatFitTwice() throws IOException {
        Path profile = dir.resolve("profile.properties");
        String text = emulatedProfile(profile);
        Map<String, String> settings = new HashMap<>(Map.of("spark.tiletrain.profile", profile.toString(),
                "spark.tiletrain.subdivisions", "2", "spark.tiletrain.tiles", "1x2"));
        TrainSetup auto = setup(settings);
        assertTrue(auto.mayOverlap());
        Prediction overlapped = auto.prediction().orElseThrow();
        assertTrue(overlapped.overlapSeconds() > 0, "2 tiles on 4 devices: the driver's device is free");
        settings.put("spark.tiletrain.overlapPasses", "false");
        Prediction serial = setup(settings).prediction().orElseThrow();
        assertFalse(setup(settings).mayOverlap(), "false is false");
        assertEquals(serial.iterationSeconds() - overlapped.overlapSeconds(), overlapped.iterationSeconds(), 1e-9);
        settings.remove("spark.tiletrain.overlapPasses");
        Files.writeString(profile, text.replaceAll("(?m)^memory\\.mb=.*$",
                "memory.mb=" + (serial.peakMemory() + overlapped.peakMemory()) / 2 / 1048576.0));
        assertFalse(setup(settings).mayOverlap(), "fits once, not twice");
        assertEquals(0, setup(settings).prediction().orElseThrow().overlapSeconds());
        Files.writeString(profile, text);
        settings.put("spark.tiletrain.subdivisions", "1");
        assertFalse(setup(settings).mayOverlap(), "one pass");
    }

    /** Writes the shipped pi3-emulated profile to {@code file} (for a test to change) and returns its text. */
    private static String emulatedProfile(Path file) throws IOException {
        String text = Files.readString(LoopbackClusterExtension.moduleDir()
                .resolve("../conf/profiles/pi3-emulated.properties"));
        Files.writeString(file, text);
        return text;
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void aBadFileIsAOneLineErrorNamingTheKeyOrTheFileAndLine(String key, Path value, String expected) {
        Map<String, String> settings = new HashMap<>(Map.of("spark.tiletrain." + key, value.toString()));
        if (key.equals("profile")) {
            settings.put("spark.tiletrain.tiles", "auto"); // the planner reads the profile
        }
        Exception e = assertThrows(Exception.class, () -> setup(settings));
        assertTrue(e instanceof ConfException || e instanceof CfgException || e instanceof WeightsFormatException, e.toString());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
