package dev.tiletrain.ops.model;

import dev.tiletrain.ops.layers.LossLayer;
import dev.tiletrain.ops.layers.Region;
import dev.tiletrain.ops.layers.Truth;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.net.Backprop;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.net.BackwardStart;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.List;
import java.util.Random;

/** One untiled training pass of one seeded random image through a model ending in a loss layer: its cost. */
public final class OneTrainingPass {
    private OneTrainingPass() {}

    /** A [region] learns one box of class 0; [cost] and [softmax] a one-hot target. */
    public static float cost(Model model, long seed) {
        List<Block> blocks = model.network().blocks();
        Block last = blocks.get(blocks.size() - 1);
        LossLayer loss = last.loss();
        Truth truth;
        if (loss instanceof Region) {
            float[] v = new float[Region.MAX_BOXES * 5];
            v[0] = .4f;
            v[1] = .6f;
            v[2] = .3f;
            v[3] = .2f;
            truth = new Truth(v.length, v);
        } else {
            float[] v = new float[last.output().size()];
            v[(int) Math.floorMod(seed, (long) v.length)] = 1;
            truth = new Truth(v.length, v);
        }
        Tensor x = Tensor.zeros(1, model.network().input());
        Random r = new Random(seed);
        for (int i = 0; i < x.data.length; i++) {
            x.data[i] = r.nextFloat();
        }
        return Backprop.run(model.network(), x, new BackwardStart.Loss(truth), new WholeMapPass(true, seed, 1)).cost();
    }
}
