package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.Activation;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Bias;
import dev.tiletrain.ops.layers.Convolution;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.MaxPool;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random conv/batch-norm/leaky/max-pool stacks with random parameters, built the way the cfg builder
 * lowers Darknet sections, for the tiled-equals-untiled property tests.
 */
final class RandomStack {
    private final Random random;
    private final BatchNorm.Mode mode;
    private final BatchNorm.Backward backward;
    private final List<Block> blocks = new ArrayList<>();
    private final Shape input;
    private Shape current;
    /** Batch norms added so far. */
    private int norms;

    RandomStack(long seed, Shape input, BatchNorm.Mode mode) {
        this(seed, input, mode, BatchNorm.Backward.EXACT);
    }

    RandomStack(long seed, Shape input, BatchNorm.Mode mode, BatchNorm.Backward backward) {
        this.random = new Random(seed);
        this.input = input;
        this.current = input;
        this.mode = mode;
        this.backward = backward;
    }

    Random random() {
        return random;
    }

    Shape current() {
        return current;
    }

    /**
     * A Darknet [convolutional] with pad=1 (padding size/2), batch_normalize or not, and leaky activation. Batch
     * norms carry the activation as ModelBuilder builds them, except every second one, which is followed by an
     * Activation layer of its own, so that both ways stay tiled exactly (chosen by count, not by the random
     * source, which would move every later random choice).
     */
    RandomStack conv(int filters, int size, int stride, boolean batchNormalize) {
        List<Layer> layers = new ArrayList<>();
        Convolution conv = new Convolution(current, filters, size, stride, size / 2);
        layers.add(conv);
        Shape out = conv.outputShape();
        boolean fused = batchNormalize && norms++ % 2 == 0;
        layers.add(batchNormalize ? new BatchNorm(out, mode, backward, fused ? Activation.Kind.LEAKY : Activation.Kind.LINEAR)
                : new Bias(out));
        if (!fused) {
            layers.add(new Activation(out, Activation.Kind.LEAKY));
        }
        return add("convolutional", layers, out);
    }

    /** A Darknet [maxpool] with its default padding (size − 1). */
    RandomStack maxpool(int size, int stride) {
        MaxPool pool = new MaxPool(current, size, stride, size - 1);
        return add("maxpool", List.of(pool), pool.outputShape());
    }

    /** Random blocks: convs of size 1 or 3, stride 1 or 2, with or without batch norm; pools 2 or 3, stride 1 or 2. */
    RandomStack randomBlocks(int count) {
        for (int i = 0; i < count; i++) {
            boolean shrinkable = current.w() >= 6 && current.h() >= 6;
            if (i > 0 && random.nextInt(3) == 0) {
                maxpool(2 + random.nextInt(2), shrinkable ? 1 + random.nextInt(2) : 1);
            } else {
                conv(1 + random.nextInt(4), random.nextBoolean() ? 3 : 1,
                        shrinkable && random.nextInt(3) == 0 ? 2 : 1, random.nextInt(4) != 0);
            }
        }
        return this;
    }

    private RandomStack add(String type, List<Layer> layers, Shape out) {
        int index = blocks.size();
        blocks.add(new Block(index, type, layers, new int[] {index - 1}, out));
        current = out;
        return this;
    }

    /** The network with every parameter drawn at random (scales near 1, variances positive). */
    Network build() {
        Network net = new Network(input, blocks);
        for (Param p : net.params()) {
            for (int i = 0; i < p.size(); i++) {
                p.value[i] = switch (p.role) {
                    case SCALES -> 0.5f + random.nextFloat();
                    case ROLLING_VARIANCE -> 0.2f + random.nextFloat();
                    default -> random.nextFloat() - 0.5f;
                };
            }
        }
        return net;
    }
}
