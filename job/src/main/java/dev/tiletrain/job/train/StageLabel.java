package dev.tiletrain.job.train;

import dev.tiletrain.tiles.FusedGroup;
import dev.tiletrain.tiles.TrainingPlan;

/**
 * The name of the stage being built, from what it computes: {@code fwd g1 L5-9 2x2} (group 1's forward
 * over cfg blocks 5 to 9 on a 2×2 grid), {@code sync fwd g0 L2-4 2x2} (the same after a batch-norm
 * synchronisation, which starts the stage), {@code bwd g0 L0-3 2x2}, {@code tail L10-15}. A stage runs from
 * one exchange (shuffle) to the next, and Spark names it after the call site where its last RDD was made,
 * so the job sets this name as the call site while it builds that stage's RDDs.
 */
final class StageLabel {
    private final TrainingPlan plan;
    private boolean afterSync;
    private String direction = "fwd";
    private int group;
    private int firstBlock = Integer.MAX_VALUE;
    private int lastBlock = -1;

    StageLabel(TrainingPlan plan) {
        this.plan = plan;
    }

    /** A new stage of {@code group}, forward or backward, starting from a sync or not. */
    void start(boolean sync, boolean forward, int group) {
        this.afterSync = sync;
        this.direction = forward ? "fwd" : "bwd";
        this.group = group;
        this.firstBlock = Integer.MAX_VALUE;
        this.lastBlock = -1;
    }

    int group() {
        return group;
    }

    /** The stage also runs layers {@code from..to} (either order) of its group. */
    void layers(int from, int to) {
        FusedGroup g = plan.group(group);
        for (int i = Math.min(from, to); i <= Math.max(from, to); i++) {
            firstBlock = Math.min(firstBlock, g.layers().get(i).block());
            lastBlock = Math.max(lastBlock, g.layers().get(i).block());
        }
    }

    String text() {
        String blocks = lastBlock < 0 ? "input" : blocks(firstBlock, lastBlock);
        return (afterSync ? "sync " : "") + direction + " g" + group + " " + blocks + " " + plan.group(group).grid();
    }

    /** {@code L7} or {@code L5-9}. */
    static String blocks(int first, int last) {
        return first == last ? "L" + first : "L" + first + "-" + last;
    }

    @Override
    public String toString() {
        return text();
    }
}
