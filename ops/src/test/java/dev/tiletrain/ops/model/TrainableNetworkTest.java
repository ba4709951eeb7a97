package dev.tiletrain.ops.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.cfg.ShippedCfgs;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The trainers' checks of a model: a [region] at the end, no batch norm of a single value. */
class TrainableNetworkTest {
    private static final String NET = "[net]\nwidth=8\nheight=8\nchannels=3\n";

    static Stream<Arguments> notDetectors() {
        return Stream.of(
                Arguments.of(NET + "[convolutional]\nfilters=4\n\n[maxpool]\n", "t.cfg:8: training needs a network that "
                        + "ends in [region], the loss layer for detection labels; this one ends in [maxpool] (layer 1), "
                        + "no loss layer: is the file complete?"),
                Arguments.of(NET + "[convolutional]\nfilters=4\n[softmax]\n", "t.cfg:7: training needs a network that ends "
                        + "in [region], the loss layer for detection labels; this one ends in [softmax] (layer 1), a loss "
                        + "for other labels"));
    }

    @ParameterizedTest
    @MethodSource("notDetectors")
    void trainingNeedsARegionAtTheEnd(String text, String message) {
        Cfg cfg = CfgParser.parse(text, "t.cfg");
        Model model = ModelBuilder.build(cfg, BatchNorm.Mode.SYNC, 1);
        assertEquals(message, assertThrows(CfgException.class, () -> TrainableNetwork.detectionLoss(cfg, model)).getMessage());
    }

    @Test
    void aCfgCutShortIsRefusedAtItsLastSection() throws IOException {
        // The case: a cfg cut part-way, its last section a half-written convolution.
        String text = Files.readString(ShippedCfgs.path("yolov2-tiny-voc.cfg"));
        String cut = text.substring(0, text.lastIndexOf('\n', text.indexOf("[region]") - 30) + 1);
        Cfg cfg = CfgParser.parse(cut, "yolov2-tiny-voc.cfg");
        Model model = ModelBuilder.build(cfg, BatchNorm.Mode.SYNC, 1, new Shape(3, 64, 64));
        CfgException e = assertThrows(CfgException.class, () -> TrainableNetwork.detectionLoss(cfg, model));
        assertEquals("yolov2-tiny-voc.cfg:" + cfg.layers().get(cfg.layers().size() - 1).line() + ": training needs a network "
                + "that ends in [region], the loss layer for detection labels; this one ends in [convolutional] (layer 14), "
                + "no loss layer: is the file complete?", e.getMessage());
    }

    @Test
    void aBatchNormOfOneValuePerChannelIsRefusedInSyncModeOnly() {
        // tiny-test at 32x32 ends in 4x4 maps; at 8x8 its last batch-normalized maps are 1x1.
        Cfg cfg = ShippedCfgs.parse("tiny-test.cfg");
        Model small = ModelBuilder.build(cfg, BatchNorm.Mode.SYNC, 1, new Shape(3, 8, 8));
        CfgException e = assertThrows(CfgException.class, () -> TrainableNetwork.checkBatchNorm(cfg, small, BatchNorm.Mode.SYNC, 1));
        assertEquals("tiny-test.cfg:" + cfg.layers().get(6).line() + ": [convolutional] layer 6 batch-normalizes a 1x1 map of "
                + "1 image per pass: the variance of one value is undefined; train with more images per pass, a larger "
                + "input or frozen batch norm", e.getMessage());
        TrainableNetwork.checkBatchNorm(cfg, small, BatchNorm.Mode.SYNC, 2);
        TrainableNetwork.checkBatchNorm(cfg, small, BatchNorm.Mode.FROZEN, 1);
        TrainableNetwork.checkBatchNorm(cfg, ModelBuilder.build(cfg, BatchNorm.Mode.SYNC, 1, new Shape(3, 32, 32)),
                BatchNorm.Mode.SYNC, 1);
    }
}
