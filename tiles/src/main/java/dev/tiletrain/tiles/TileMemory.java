package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.Activation;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Convolution;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.tensor.Rect;

/**
 * The bytes one tile of a fused group allocates in a training iteration, term by term, as the layers
 * allocate them (float32, {@code batch} images): what forward keeps for backward, its partial gradients,
 * the deltas alive while it back-propagates, and the im2col array of its convolutions. The
 * {@link CostModel} adds these up per device and for the in-process runner.
 */
final class TileMemory {
    private TileMemory() {
    }

    /** The group's input over the tile's input region and every layer's output over its region. */
    static double kept(FusedGroup g, int t, int batch) {
        double floats = g.inputShape().c() * (double) g.input(t).area();
        for (int i = 0; i < g.layers().size(); i++) {
            floats += g.layer(i).outputShape().c() * (double) g.output(t, i).area();
        }
        return 4.0 * batch * floats;
    }

    /** One gradient array per trainable parameter of the group's layers (a tile's pass allocates them all). */
    static double gradients(FusedGroup g) {
        double bytes = 0;
        for (int i = 0; i < g.layers().size(); i++) {
            bytes += trainableBytes(g.layer(i));
        }
        return bytes;
    }

    static double trainableBytes(Layer layer) {
        double bytes = 0;
        for (Param p : layer.params()) {
            if (p.role.trainable) {
                bytes += 4.0 * p.size();
            }
        }
        return bytes;
    }

    /** The tile's partial delta at the group's input, which it hands to the halo add (or returns). */
    static double inputDelta(FusedGroup g, int t, int batch) {
        return 4.0 * batch * g.inputShape().c() * g.input(t).area();
    }

    /**
     * The largest delta the tile holds between backward steps: the seed over its owned output, the delta
     * at each synchronised batch norm (where a step ends and the next starts), or its input delta.
     */
    static double heldDelta(FusedGroup g, int t, int batch) {
        double held = Math.max(delta(g, t, g.layers().size() - 1, batch), inputDelta(g, t, batch));
        for (int i = 0; i < g.layers().size(); i++) {
            if (TrainingPlan.syncs(g.layer(i))) {
                held = Math.max(held, delta(g, t, i, batch));
            }
        }
        return held;
    }

    /**
     * The most bytes of deltas the tile allocates at once beyond {@link #heldDelta}: at each layer the
     * incoming delta (unless it is the held one that starts a step) and the outgoing one over the layer's
     * input region, plus what a pointwise layer allocates over the delta's region when the two regions differ:
     * an activation its own result, a batch norm that and its input cropped to the delta's region.
     */
    static double backwardInFlight(FusedGroup g, int t, int batch) {
        int last = g.layers().size() - 1;
        double most = 0;
        for (int i = last; i >= 0; i--) {
            Layer l = g.layer(i);
            boolean stepStart = i == last || TrainingPlan.syncs(l);
            double dy = delta(g, t, i, batch), dx = 4.0 * batch * l.inputShape().c() * inputRect(g, t, i).area();
            double bytes = (stepStart ? 0 : dy) + dx;
            if (!inputRect(g, t, i).equals(deltaRect(g, t, i))) {
                bytes += l instanceof Activation ? dy : l instanceof BatchNorm ? 2 * dy : 0;
            }
            most = Math.max(most, bytes);
        }
        return most;
    }

    /** The largest im2col array the tile's convolutions use (each thread keeps its largest). */
    static double scratch(FusedGroup g, int t) {
        double most = 0;
        for (int i = 0; i < g.layers().size(); i++) {
            if (g.layer(i) instanceof Convolution c) {
                most = Math.max(most, 4.0 * c.scratchFloats(inputRect(g, t, i), g.output(t, i)));
            }
        }
        return most;
    }

    /** The delta arriving at layer {@code i}'s output: over the owned tile at the group's end, else its region. */
    private static double delta(FusedGroup g, int t, int i, int batch) {
        return 4.0 * batch * g.layer(i).outputShape().c() * deltaRect(g, t, i).area();
    }

    private static Rect deltaRect(FusedGroup g, int t, int i) {
        return i == g.layers().size() - 1 ? g.ownedOutput(t) : g.output(t, i);
    }

    /** What layer {@code i} of the tile reads: the group's input region, or the previous layer's output region. */
    private static Rect inputRect(FusedGroup g, int t, int i) {
        return i == 0 ? g.input(t) : g.output(t, i - 1);
    }
}
