package dev.tiletrain.ops.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A layer value out of its range is an error at the key's line, before anything is allocated. */
class ModelBuilderValuesTest {
    private static final String NET = "[net]\nwidth=16\nheight=16\nchannels=3\n";

    private static Model build(String layers) {
        return ModelBuilder.build(CfgParser.parse(NET + layers, "v.cfg"), BatchNorm.Mode.SYNC, 1);
    }

    static Stream<Arguments> outOfRange() {
        return Stream.of(
                Arguments.of("[convolutional]\nfilters=-4\n", "v.cfg:6: key 'filters': -4 is less than 1"),
                Arguments.of("[convolutional]\nfilters=4\nsize=0\n", "v.cfg:7: key 'size': 0 is less than 1"),
                Arguments.of("[convolutional]\nfilters=4\nstride=0\n", "v.cfg:7: key 'stride': 0 is less than 1"),
                Arguments.of("[convolutional]\nfilters=4\npad=2\n", "v.cfg:7: key 'pad': 2 is not in [0, 1]"),
                Arguments.of("[convolutional]\nfilters=4\npadding=-1\n", "v.cfg:7: key 'padding': -1 is less than 0"),
                Arguments.of("[convolutional]\nfilters=4\nbatch_normalize=3\n", "v.cfg:7: key 'batch_normalize': 3 is not in [0, 1]"),
                Arguments.of("[convolutional]\nfilters=4\nlearning_rate=-1\n", "v.cfg:7: key 'learning_rate': '-1' is less than 0"),
                Arguments.of("[maxpool]\nstride=0\n", "v.cfg:6: key 'stride': 0 is less than 1"),
                Arguments.of("[maxpool]\nsize=-2\n", "v.cfg:6: key 'size': -2 is less than 1"),
                Arguments.of("[reorg]\nstride=-2\n", "v.cfg:6: key 'stride': -2 is less than 1"),
                Arguments.of("[dropout]\nprobability=1.5\n", "v.cfg:6: key 'probability': '1.5' is not in [0, 1]"),
                Arguments.of("[dropout]\nprobability=-0.1\n", "v.cfg:6: key 'probability': '-0.1' is not in [0, 1]"),
                Arguments.of("[dropout]\nprobability=1\n", "v.cfg:6: key 'probability': '1' drops everything: use a value below 1"),
                Arguments.of("[softmax]\ntemperature=0\n", "v.cfg:6: key 'temperature': '0' is not positive"),
                Arguments.of("[softmax]\ngroups=0\n", "v.cfg:6: key 'groups': 0 is less than 1"),
                Arguments.of("[cost]\nscale=-1\n", "v.cfg:6: key 'scale': '-1' is not in [0, 1000]"),
                Arguments.of("[convolutional]\nfilters=30\nsize=1\n[region]\nclasses=1\nnum=5\nthresh=1.5\n",
                        "v.cfg:11: key 'thresh': '1.5' is not in [0, 1]"),
                Arguments.of("[convolutional]\nfilters=30\nsize=1\n[region]\nclasses=1\nnum=5\nobject_scale=1e30\n",
                        "v.cfg:11: key 'object_scale': '1e30' is not in [0, 1000]"),
                Arguments.of("[convolutional]\nfilters=12\nsize=1\n[region]\nclasses=1\nnum=2\nanchors=1,1,0,2\n",
                        "v.cfg:11: key 'anchors': 0.0 is not positive: anchors are box widths and heights in grid cells"),
                Arguments.of("[convolutional]\nfilters=6\nsize=1\n[region]\nclasses=0\n", "v.cfg:9: key 'classes': 0 is less than 1"));
    }

    @ParameterizedTest
    @MethodSource("outOfRange")
    void anOutOfRangeValueIsAnErrorAtItsKey(String layers, String message) {
        assertEquals(message, assertThrows(CfgException.class, () -> build(layers)).getMessage());
    }

    @Test
    void aLayerTooLargeForAJavaArrayIsRefusedBeforeAllocation() {
        CfgException e = assertThrows(CfgException.class, () -> build("[convolutional]\nfilters=2147483647\nsize=3\n"));
        assertEquals("v.cfg:6: key 'filters': the layer would have 57982058469 weights, more than a Java array holds",
                e.getMessage());
    }

    @Test
    void aNetworkLargerThanTheHeapIsRefusedBeforeAllocation() {
        // 1×1 filters over 3 channels: one more filter than the heap holds the weights of, still an array's worth.
        long filters = Runtime.getRuntime().maxMemory() / 4 / 3 + 1;
        assumeTrue(3 * filters <= Integer.MAX_VALUE, "a heap above 8 GB fits any array");
        CfgException e = assertThrows(CfgException.class, () -> build("[convolutional]\nfilters=" + filters + "\n"));
        long mb = Runtime.getRuntime().maxMemory() >> 20;
        assertEquals("v.cfg:6: key 'filters': the network's weights reach " + (12 * filters >> 20) + " MB with this layer, "
                + "more than this JVM's maximum heap of " + mb + " MB", e.getMessage());
    }
}
