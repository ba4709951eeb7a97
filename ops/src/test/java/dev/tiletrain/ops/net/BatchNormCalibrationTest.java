package dev.tiletrain.ops.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BatchNormCalibration}: after one batch, the frozen forward (rolling statistics) of that batch equals
 * its training forward (batch statistics), block by block; over several batches a batch norm's rolling
 * statistics are those of all their images at once. Tolerance: relative 1e-5 of each tensor's largest
 * magnitude (the same statistics, computed once per batch; only the float rounding of √v + ε may differ).
 */
class BatchNormCalibrationTest {
    private static final double TOLERANCE = 1e-5;

    /** Three batch norms, a pool and a route between them; no loss layer. */
    private static String network(int width, int height, int filters) {
        return """
                [net]
                width=%d
                height=%d
                channels=3
                [convolutional]
                batch_normalize=1
                filters=%d
                size=3
                stride=1
                pad=1
                activation=leaky
                [maxpool]
                size=2
                stride=2
                [convolutional]
                batch_normalize=1
                filters=5
                size=3
                stride=1
                pad=1
                activation=leaky
                [route]
                layers=-1,-2
                [convolutional]
                batch_normalize=1
                filters=3
                size=1
                stride=1
                pad=0
                activation=linear
                [convolutional]
                filters=2
                size=1
                stride=1
                pad=0
                activation=linear
                """.formatted(width, height, filters);
    }

    static Stream<Arguments> shapes() {
        return Stream.of(Arguments.of(8, 6, 4, 1, 11), Arguments.of(13, 9, 6, 2, 12), Arguments.of(16, 16, 3, 3, 13),
                Arguments.of(7, 12, 8, 2, 14));
    }

    @ParameterizedTest(name = "{0}x{1}, {2} filters, batch {3}")
    @MethodSource("shapes")
    void afterOneBatchTheFrozenForwardOfThatBatchIsItsTrainingForward(int w, int h, int filters, int batch, long seed) {
        Network net = ModelBuilder.build(CfgParser.parse(network(w, h, filters), "calibrated.cfg"),
                BatchNorm.Mode.SYNC, seed).network();
        Tensor x = random(Tensor.zeros(batch, net.input()), new Random(seed));
        Trace training = net.forward(x, new WholeMapPass(true, 1));

        BatchNormCalibration calibration = new BatchNormCalibration(net);
        calibration.add(x, 1);
        calibration.apply();
        assertEquals(batch, calibration.images());
        Trace frozen = net.forward(x, new WholeMapPass(false, 1));

        for (int b = 0; b < net.blocks().size(); b++) {
            assertClose("block " + b, training.output(b).data, frozen.output(b).data);
        }
    }

    @Test
    void severalBatchesGiveTheStatisticsOfAllTheirImages() {
        String oneLayer = """
                [net]
                width=9
                height=7
                channels=3
                [convolutional]
                batch_normalize=1
                filters=4
                size=3
                stride=1
                pad=1
                activation=leaky
                """;
        Network net = ModelBuilder.build(CfgParser.parse(oneLayer, "one.cfg"), BatchNorm.Mode.SYNC, 5).network();
        Random random = new Random(5);
        Tensor a = random(Tensor.zeros(2, net.input()), random), b = random(Tensor.zeros(3, net.input()), random);
        Tensor both = Tensor.zeros(5, net.input());
        System.arraycopy(a.data, 0, both.data, 0, a.data.length);
        System.arraycopy(b.data, 0, both.data, a.data.length, b.data.length);
        WholeMapPass whole = new WholeMapPass(true, 1);
        net.forward(both, whole);
        BatchNorm bn = net.batchNorms().get(0);
        BatchNorm.Stats expected = whole.statistics().get(bn);

        BatchNormCalibration calibration = new BatchNormCalibration(net);
        calibration.add(a, 1);
        calibration.add(b, 2);
        calibration.apply();

        assertClose("rolling mean", expected.mean(), value(bn, Param.Role.ROLLING_MEAN));
        assertClose("rolling variance", expected.variance(), value(bn, Param.Role.ROLLING_VARIANCE));
        assertTrue(expected.variance()[0] > 0);
    }

    @Test
    void refusesWhatItCannotCalibrate() {
        String cfg = network(8, 8, 2);
        Network frozen = ModelBuilder.build(CfgParser.parse(cfg, "f.cfg"), BatchNorm.Mode.FROZEN, 1).network();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new BatchNormCalibration(frozen)).getMessage()
                .contains("sync mode"));
        Network none = ModelBuilder.build(CfgParser.parse("""
                [net]
                width=4
                height=4
                channels=1
                [maxpool]
                size=2
                stride=2
                """, "none.cfg"), BatchNorm.Mode.SYNC, 1).network();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new BatchNormCalibration(none)).getMessage()
                .contains("no batch norm"));
        Network net = ModelBuilder.build(CfgParser.parse(cfg, "n.cfg"), BatchNorm.Mode.SYNC, 1).network();
        assertThrows(IllegalStateException.class, () -> new BatchNormCalibration(net).apply());
    }

    private static float[] value(BatchNorm bn, Param.Role role) {
        return bn.params().stream().filter(p -> p.role == role).findFirst().orElseThrow().value;
    }

    private static Tensor random(Tensor t, Random r) {
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = (float) (r.nextGaussian() * 2 + 0.5);
        }
        return t;
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0, worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            double d = Math.abs(expected[i] - (double) actual[i]);
            worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
        }
        double limit = TOLERANCE * scale, w = worst;
        assertTrue(w <= limit, () -> what + ": max |diff| " + w + " > " + limit);
    }
}
