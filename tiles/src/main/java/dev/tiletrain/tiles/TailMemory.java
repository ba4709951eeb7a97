package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.Convolution;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.tensor.Shape;
import java.util.List;

/**
 * The bytes the untiled tail of a plan allocates, as {@code Network.forward} and {@code Network.backward}
 * allocate them over whole maps ({@code batch} images, float32). With no tail layers only the gather of
 * the last group's owned tiles and the scatter of their delta remain.
 */
final class TailMemory {
    private TailMemory() {
    }

    /**
     * The tail's peak working set, freed when it returns: the gathered map, every tensor the trace keeps,
     * the delta each block hands to the block it reads (a copy, kept until the backward returns), and the
     * larger of the two deltas of the layer back-propagating and the owned crops the delta is scattered into.
     */
    static double working(TrainingPlan plan, int batch) {
        Network net = plan.network();
        Shape gathered = plan.group(plan.groups().size() - 1).outputShape();
        double trace = 0, handed = 0, inFlight = 0;
        for (Block b : blocks(plan)) {
            if (b.isRoute()) {
                trace += b.output().size();
                for (int src : b.inputs()) {
                    handed += net.block(src).output().size();
                }
                inFlight = Math.max(inFlight, 2.0 * b.output().size());
                continue;
            }
            handed += b.layers().get(0).inputShape().size();
            for (Layer l : b.layers()) {
                trace += l.outputShape().size();
                inFlight = Math.max(inFlight, l.outputShape().size() + (double) l.inputShape().size());
            }
        }
        return 4.0 * batch * (gathered.size() + trace + handed + Math.max(inFlight, gathered.size()));
    }

    /** The tail's gradient arrays, which live until the gradients are reduced. */
    static double gradients(TrainingPlan plan) {
        double bytes = 0;
        for (Block b : blocks(plan)) {
            for (Layer l : b.layers()) {
                bytes += TileMemory.trainableBytes(l);
            }
        }
        return bytes;
    }

    /** The largest im2col array of the tail's convolutions, which stays with the thread that ran the tail. */
    static double scratch(TrainingPlan plan) {
        double floats = 0;
        for (Block b : blocks(plan)) {
            for (Layer l : b.layers()) {
                if (l instanceof Convolution c) {
                    floats = Math.max(floats, c.scratchFloats(l.inputShape().full(), l.outputShape().full()));
                }
            }
        }
        return 4.0 * floats;
    }

    /** The network's output, which the iteration returns. */
    static double output(TrainingPlan plan, int batch) {
        return 4.0 * batch * plan.network().output().size();
    }

    private static List<Block> blocks(TrainingPlan plan) {
        List<Block> all = plan.network().blocks();
        return all.subList(plan.lastTiledBlock() + 1, all.size());
    }
}
