package dev.tiletrain.ops.model;

import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cfg.CfgSection;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Region;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.tensor.Shape;
import java.util.List;

/**
 * What both trainers check of a model before training it, each failure a one-line error at the cfg section
 * that causes it: that it ends in the {@code [region]} loss, and that no batch norm would normalize a single
 * value.
 */
public final class TrainableNetwork {
    private TrainableNetwork() {}

    /**
     * {@code model}'s (built from {@code cfg}) final {@code [region]} layer. The trainers feed detection labels
     * (boxes and classes), which only {@code [region]} reads; {@code [cost]} and {@code [softmax]} are losses
     * for other labels, and a network ending in anything else (a cfg cut short) has no loss at all.
     */
    public static Region detectionLoss(Cfg cfg, Model model) {
        List<Block> blocks = model.network().blocks();
        Block last = blocks.get(blocks.size() - 1);
        if (last.loss() instanceof Region r) {
            return r;
        }
        CfgSection section = cfg.layers().get(last.index());
        throw new CfgException(cfg.file(), section.line(), null, "training needs a network that ends in [region], the "
                + "loss layer for detection labels; this one ends in [" + section.type() + "] (layer " + last.index() + ")"
                + (last.loss() != null ? ", a loss for other labels" : ", no loss layer: is the file complete?"));
    }

    /**
     * Refuses training passes of {@code passImages} images in which a synchronized batch norm sees one value
     * per channel (a 1×1 map of one image): Darknet's unbiased variance of it divides 0 by 0, and training
     * goes on with NaN.
     */
    public static void checkBatchNorm(Cfg cfg, Model model, BatchNorm.Mode mode, int passImages) {
        if (mode != BatchNorm.Mode.SYNC) {
            return;
        }
        for (Block b : model.network().blocks()) {
            Shape out = b.output();
            if (b.layers().stream().anyMatch(l -> l instanceof BatchNorm) && (long) passImages * out.h() * out.w() < 2) {
                CfgSection s = cfg.layers().get(b.index());
                throw new CfgException(cfg.file(), s.line(), null, "[" + s.type() + "] layer " + b.index()
                        + " batch-normalizes a " + out.h() + "x" + out.w() + " map of " + passImages + " image per pass: "
                        + "the variance of one value is undefined; train with more images per pass, a larger input or "
                        + "frozen batch norm");
            }
        }
    }
}
