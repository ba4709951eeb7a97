package dev.tiletrain.ops.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.LossLayer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.Truth;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Network#backwardParams} gives every parameter gradient of {@link Network#backward}, bit for bit,
 * whatever reads the range's input: a convolution (whose input-gradient product it skips), a layer without
 * parameters, a route joining blocks of the range, a range that starts inside the network, a loss.
 */
class BackwardParamsTest {
    private static final String CONV_FIRST = """
            [net]
            width=11
            height=9
            channels=3
            [convolutional]
            batch_normalize=1
            filters=4
            size=3
            stride=1
            pad=1
            activation=leaky
            [maxpool]
            size=2
            stride=2
            [convolutional]
            filters=5
            size=3
            stride=1
            pad=1
            activation=linear
            [route]
            layers=-1,-2
            [convolutional]
            batch_normalize=1
            filters=3
            size=1
            stride=1
            pad=1
            activation=leaky
            """;
    private static final String POOL_FIRST = """
            [net]
            width=10
            height=7
            channels=2
            [maxpool]
            size=2
            stride=1
            [convolutional]
            batch_normalize=1
            filters=3
            size=3
            stride=1
            pad=1
            activation=leaky
            [convolutional]
            filters=2
            size=1
            stride=1
            pad=0
            activation=logistic
            """;
    private static final String WITH_COST = CONV_FIRST + """
            [cost]
            type=sse
            """;

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("conv first", CONV_FIRST, 0, BatchNorm.Mode.SYNC, 2),
                Arguments.of("conv first, frozen", CONV_FIRST, 0, BatchNorm.Mode.FROZEN, 1),
                Arguments.of("range from block 2 (a route reads its input)", CONV_FIRST, 2, BatchNorm.Mode.SYNC, 3),
                Arguments.of("pool first", POOL_FIRST, 0, BatchNorm.Mode.SYNC, 2),
                Arguments.of("ending in [cost]", WITH_COST, 0, BatchNorm.Mode.SYNC, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void sameParameterGradientsAsTheFullBackward(String name, String cfg, int first, BatchNorm.Mode mode, int batch) {
        Network net = ModelBuilder.build(CfgParser.parse(cfg, name + ".cfg"), mode, 3).network();
        Random random = new Random(name.hashCode());
        // The map block `first` reads (a route's: its first input's).
        int from = net.block(first).inputs()[0];
        Shape in = from < 0 ? net.input() : net.block(from).output();
        Tensor x = random(Tensor.zeros(batch, in), random);
        int last = net.blocks().size() - 1;

        WholeMapPass full = new WholeMapPass(true, 1), params = new WholeMapPass(true, 1);
        Trace fullTrace = net.forward(first, last, x, full), paramsTrace = net.forward(first, last, x, params);
        Tensor inputGradient;
        if (net.block(last).loss() != null) {
            Shape s = net.block(last).output();
            Truth truth = new Truth(s.size(), random(Tensor.zeros(batch, s), random).data);
            LossLayer.Loss loss = net.loss(fullTrace, truth, full);
            inputGradient = net.backwardFromLoss(fullTrace, loss.inputGradient(), full);
            net.backwardParams(paramsTrace, net.loss(paramsTrace, truth, params).inputGradient(), true, params);
        } else {
            Tensor dOut = random(Tensor.zeros(batch, net.output()), random);
            inputGradient = net.backward(fullTrace, dOut, full);
            net.backwardParams(paramsTrace, dOut, false, params);
        }
        assertEquals(x.data.length, inputGradient.data.length);
        int compared = 0;
        for (int b = first; b <= last; b++) {
            for (var layer : net.block(b).layers()) {
                for (Param p : layer.params()) {
                    float[] expected = full.gradOrNull(p);
                    if (expected == null) {
                        assertNull(params.gradOrNull(p), name + ": " + layer.describe());
                    } else {
                        assertArrayEquals(expected, params.gradOrNull(p), name + ": " + layer.describe() + " " + p);
                        compared++;
                    }
                }
            }
        }
        assertFalse(compared == 0, name + ": no parameter gradient compared");
    }

    private static Tensor random(Tensor t, Random random) {
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = random.nextFloat() * 2 - 1;
        }
        return t;
    }
}
