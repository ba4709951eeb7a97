package dev.tiletrain.tiles;

import dev.tiletrain.ops.tensor.Tensor;
import java.util.List;

/**
 * One tile of one group during one pass: its pass (partial gradients, synchronised statistics, owned
 * positions), the activations it keeps for backward ({@code activations.get(i)} is the input of the
 * group's layer i; the last one the latest output), and its current delta. Every step returns a new
 * state and leaves its input untouched, so a step can be re-run from its input (a retried task).
 */
public record TileState(int group, int tile, TilePass pass, List<Tensor> activations, Tensor delta) {
    public TileState {
        activations = List.copyOf(activations);
    }

    /** The latest output (or the group input before any layer ran). */
    public Tensor last() {
        return activations.get(activations.size() - 1);
    }
}
