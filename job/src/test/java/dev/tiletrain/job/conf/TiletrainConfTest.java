package dev.tiletrain.job.conf;

import dev.tiletrain.tiles.Grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.layers.BatchNorm;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TiletrainConfTest {
    @Test
    void readsTypedValuesAndIgnoresOtherKeys() {
        TiletrainConf conf = TiletrainConf.parse(Map.of(
                "spark.tiletrain.model", "conf/yolov2-tiny-voc.cfg",
                "spark.tiletrain.tiles", "3x2",
                "spark.tiletrain.groups", "0-3,4-9,10-15",
                "spark.tiletrain.tiledLayers", "16",
                "spark.tiletrain.batchnorm", "FROZEN",
                "spark.tiletrain.learningRate", "0.001",
                "spark.tiletrain.seed", "-7",
                "spark.tiletrain.data.onError", "skip",
                "spark.tiletrain.overlapPasses", "False",
                "spark.executor.memory", "512m"));
        assertEquals("conf/yolov2-tiny-voc.cfg", conf.get(ConfKeys.MODEL));
        assertEquals(new Grid(3, 2), conf.get(ConfKeys.TILES).orElseThrow());
        assertEquals(6, conf.get(ConfKeys.TILES).orElseThrow().tiles());
        assertEquals("0-3,4-9,10-15", conf.get(ConfKeys.GROUPS).orElseThrow().toString());
        assertEquals(OptionalInt.of(16), conf.get(ConfKeys.TILED_LAYERS));
        assertEquals(BatchNorm.Mode.FROZEN, conf.get(ConfKeys.BATCHNORM));
        assertEquals(0.001, conf.get(ConfKeys.LEARNING_RATE));
        assertEquals(-7L, conf.get(ConfKeys.SEED));
        assertEquals("skip", conf.get(ConfKeys.DATA_ON_ERROR));
        assertEquals(Optional.of(false), conf.get(ConfKeys.OVERLAP_PASSES));
    }

    @Test
    void unsetKeysTakeTheirDefaultsOrAreAbsent() {
        TiletrainConf conf = TiletrainConf.parse(Map.of());
        assertEquals(new Grid(2, 2), conf.get(ConfKeys.TILES).orElseThrow());
        assertTrue(conf.get(ConfKeys.GROUPS).isEmpty());
        assertEquals(OptionalInt.empty(), conf.get(ConfKeys.TILED_LAYERS));
        assertEquals(BatchNorm.Mode.SYNC, conf.get(ConfKeys.BATCHNORM));
        assertEquals(1, conf.get(ConfKeys.AGGREGATE_DEPTH));
        assertEquals(120, conf.get(ConfKeys.EXECUTOR_WAIT_SECONDS));
        assertEquals(Optional.empty(), conf.get(ConfKeys.OVERLAP_PASSES), "auto: the job decides");
        assertFalse(conf.find(ConfKeys.LEARNING_RATE).isPresent(), "the cfg decides");
        ConfException e = assertThrows(ConfException.class, () -> conf.get(ConfKeys.MODEL));
        assertTrue(e.getMessage().startsWith("spark.tiletrain.model is required"), e.getMessage());
    }

    @Test
    void everyDefaultParses() {
        TiletrainConf conf = TiletrainConf.parse(Map.of());
        for (ConfKey<?> key : ConfKeys.ALL) {
            assertEquals(key.defaultValue() != null, conf.find(key).isPresent(), key.name());
            assertTrue(key.defaultValue() != null ^ key.whenUnset() != null, key.name() + ": a default or a meaning");
        }
    }

    @Test
    void keyNamesAreUnique() {
        Set<String> names = new HashSet<>();
        ConfKeys.ALL.forEach(k -> assertTrue(names.add(k.name().toLowerCase()), k.name()));
    }

    static Stream<Arguments> misspelt() {
        return Stream.of(
                Arguments.of("spark.tiletrain.learningrate", "spark.tiletrain.learningRate"),
                Arguments.of("spark.tiletrain.tile", "spark.tiletrain.tiles"),
                Arguments.of("spark.tiletrain.checkpoint.evry", "spark.tiletrain.checkpoint.every"),
                Arguments.of("spark.tiletrain.checkpointDir", "spark.tiletrain.checkpoint.dir"),
                Arguments.of("spark.tiletrain.batchNorm", "spark.tiletrain.batchnorm"),
                Arguments.of("spark.tiletrain.aggregationDepth", "spark.tiletrain.aggregateDepth"),
                Arguments.of("spark.tiletrain.data.onerror", "spark.tiletrain.data.onError"));
    }

    @ParameterizedTest
    @MethodSource("misspelt")
    void anUnknownKeyNamesTheNearestValidKey(String wrong, String meant) {
        ConfException e = assertThrows(ConfException.class, () -> TiletrainConf.parse(Map.of(wrong, "1")));
        assertEquals(List.of("unknown key " + wrong + "; did you mean " + meant + "?"), e.problems());
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("batch", "0", "not a whole number ≥ 1"),
                Arguments.of("batch", "two", "not a whole number ≥ 1"),
                Arguments.of("iterations", "1e3", "not a whole number ≥ 1"),
                Arguments.of("tiles", "2x0", "grid must be at least 1x1"),
                Arguments.of("tiles", "3*3", "is not a grid: write rows x columns"),
                Arguments.of("tiledLayers", "none", "neither auto nor a whole number ≥ 1"),
                Arguments.of("groups", "0-3,5-9", "expected a group starting at 4"),
                Arguments.of("groups", "1-3", "expected a group starting at 0"),
                Arguments.of("groups", "0-3,4-2", "expected a group starting at 4"),
                Arguments.of("groups", "0-3,", "'' in groups '0-3,' is not a block range"),
                Arguments.of("batchnorm", "batch", "not one of sync, frozen"),
                Arguments.of("learningRate", "0", "not a number in (0, 1]"),
                Arguments.of("momentum", "-0.1", "not a number in [0, 1]"),
                Arguments.of("decay", "NaN", "not a number in [0, 1]"),
                Arguments.of("data.onError", "ignore", "not one of fail, skip"),
                Arguments.of("overlapPasses", "yes", "not one of auto, true, false"),
                Arguments.of("seed", "1.5", "not a whole number"),
                Arguments.of("model", " ", "empty"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void aBadValueNamesItsKeyAndWhatIsValid(String suffix, String value, String expected) {
        String key = TiletrainConf.PREFIX + suffix;
        ConfException e = assertThrows(ConfException.class, () -> TiletrainConf.parse(Map.of(key, value)));
        assertEquals(1, e.problems().size());
        String problem = e.problems().get(0);
        assertTrue(problem.startsWith(key + "=" + value + ": "), problem);
        assertTrue(problem.contains(expected), problem);
    }

    /** Garbage, negative and overflowing values: no count, number, choice, grid, range list or URL takes them. */
    private static final List<String> BAD = List.of("", "   ", "garbage#!", "1 2", "0x10", "-1", "-2147483649",
            "99999999999999999999", "2147483648", "1e400", "-1e400", "NaN", "Infinity", "-Infinity");

    /**
     * Keys whose value names a file, a directory or a profile: any non-blank text is a name (a directory may be
     * called -1), so a bad one is found where it is used (TrainSetupTest: each names its key).
     */
    private static final Set<ConfKey<?>> NAMES = Set.of(ConfKeys.MODEL, ConfKeys.WEIGHTS, ConfKeys.DATA,
            ConfKeys.CHECKPOINT_DIR, ConfKeys.PROFILE, ConfKeys.TESTBED);

    static Stream<Arguments> everyKeyWithEveryBadValue() {
        return ConfKeys.ALL.stream().flatMap(key -> BAD.stream()
                .filter(v -> !(NAMES.contains(key) && !v.isBlank()))
                .filter(v -> !(key == ConfKeys.SEED && v.matches("-1|-2147483649|2147483648"))) // seeds are any long
                .map(v -> Arguments.of(key.name(), v)));
    }

    @ParameterizedTest
    @MethodSource("everyKeyWithEveryBadValue")
    void everyKeyRefusesGarbageNegativeAndOverflowingValuesNamingTheKey(String key, String value) {
        ConfException e = assertThrows(ConfException.class, () -> TiletrainConf.parse(Map.of(key, value)));
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith(key + "=" + value + ": "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void everyKeyIsCoveredByTheBadValues() {
        Set<String> covered = new HashSet<>();
        everyKeyWithEveryBadValue().forEach(a -> covered.add((String) a.get()[0]));
        assertEquals(ConfKeys.ALL.size(), covered.size());
    }

    @Test
    void allProblemsAreReportedAtOnce() {
        ConfException e = assertThrows(ConfException.class, () -> TiletrainConf.parse(Map.of(
                "spark.tiletrain.batch", "0", "spark.tiletrain.tyles", "2x2", "spark.tiletrain.momentum", "x")));
        assertEquals(3, e.problems().size(), e.getMessage());
    }

    @Test
    void readsASparkConf() {
        SparkConf spark = new SparkConf(false).set("spark.tiletrain.tiles", "1x2").set("spark.app.name", "t");
        assertEquals(new Grid(1, 2), TiletrainConf.from(spark).get(ConfKeys.TILES).orElseThrow());
        SparkConf bad = new SparkConf(false).set("spark.tiletrain.tilez", "1x2");
        assertThrows(ConfException.class, () -> TiletrainConf.from(bad));
    }

    @Test
    void describeListsEveryKeyWithWhereItsValueCameFrom() {
        String text = TiletrainConf.parse(Map.of("spark.tiletrain.batch", "4")).describe();
        assertEquals(ConfKeys.ALL.size(), text.lines().count());
        assertTrue(text.contains("spark.tiletrain.batch = 4\n"), text);
        assertTrue(text.contains("spark.tiletrain.tiles = 2x2 (default)\n"), text);
        assertTrue(text.contains("spark.tiletrain.learningRate = unset: the cfg's [net] learning_rate\n"), text);
    }
}
