package dev.tiletrain.tiles;

import java.io.Serializable;

/**
 * One operator of a {@link TrainingPlan}, in dependency order. Tile steps run once per tile of their
 * group; exchanges and syncs are where tiles meet (on Spark: stage boundaries). Serializable, so that a
 * Spark task's closure can carry the step it runs.
 */
public sealed interface PlanStep extends Serializable {
    /** Each tile of group 0 takes its input region from the batch. */
    record ReadInput() implements PlanStep {}

    /** Each tile runs layers {@code from..to} (positions in the group) forward. */
    record Forward(int group, int from, int to) implements PlanStep {}

    /** All tiles all-reduce the moments over their owned positions at this sync batch norm's input. */
    record SyncForward(int group, int layer) implements PlanStep {}

    /** Each tile of group {@code boundary + 1} gathers its input region from the owners in group {@code boundary}. */
    record GatherHalo(int boundary) implements PlanStep {}

    /** The last group's owned outputs become the whole map, the tail runs forward, loss and backward on it,
     *  and the gradient at the whole map goes back to the owners. */
    record Tail(int firstBlock, int lastBlock) implements PlanStep {}

    /** Each tile runs layers {@code from} down to {@code to} backward. */
    record Backward(int group, int from, int to) implements PlanStep {}

    /** All tiles all-reduce Σdy and Σdy·x̂ of this sync batch norm from their partial deltas. */
    record SyncBackward(int group, int layer) implements PlanStep {}

    /** Partial input deltas of group {@code boundary + 1} are added at their owners in group {@code boundary}. */
    record AddHalo(int boundary) implements PlanStep {}

    /** Partial weight gradients of all tiles and the tail are summed. */
    record ReduceGradients() implements PlanStep {}
}
