package dev.tiletrain.job.train;

import dev.tiletrain.tiles.FusedGroup;
import dev.tiletrain.tiles.PlanStep;
import dev.tiletrain.tiles.TrainingPlan;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The name of each Spark stage of a pass, from the plan steps it runs: {@code fwd g1 L5-9 2x2} (group 1's
 * forward over cfg layers 5 to 9 on a 2×2 grid), {@code sync fwd g0 L2-4 2x2} (the same after a batch-norm
 * synchronisation, which starts the stage), {@code bwd g0 L0-3 2x2}, and the last, which also sums the
 * gradients, {@code sync bwd g0 L0 2x2, grad reduce}. A stage that runs no layer says what it takes in:
 * {@code fwd g1 input 2x2} (a group starting with a batch norm reads its input and sums it for the sync),
 * {@code bwd g1 delta 2x2} (a group ending with one takes its delta in and sums it). A stage runs from one
 * exchange of the plan (a sync, a halo exchange, the tail on the driver) to the next; Spark names it after the
 * call site where its last RDD (or its action) was made, so the job builds each exchange under the name of the
 * stage the exchange ends.
 */
final class StageLabels {
    private final Map<Integer, String> ending = new HashMap<>();

    private StageLabels(TrainingPlan plan) {
        List<PlanStep> steps = plan.steps();
        Stage stage = null;
        for (int i = 0; i < steps.size(); i++) {
            PlanStep step = steps.get(i);
            if (step instanceof PlanStep.ReadInput) {
                stage = new Stage(plan, false, true, 0);
            } else if (step instanceof PlanStep.Forward f) {
                stage.layers(f.from(), f.to());
            } else if (step instanceof PlanStep.Backward b) {
                stage.layers(b.from(), b.to());
            } else if (step instanceof PlanStep.SyncForward s) {
                ending.put(i, stage.label());
                stage = new Stage(plan, true, true, s.group());
            } else if (step instanceof PlanStep.SyncBackward s) {
                ending.put(i, stage.label());
                stage = new Stage(plan, true, false, s.group());
            } else if (step instanceof PlanStep.GatherHalo h) {
                ending.put(i, stage.label());
                stage = new Stage(plan, false, true, h.boundary() + 1);
            } else if (step instanceof PlanStep.Tail) {
                ending.put(i, stage.label());
                stage = new Stage(plan, false, false, plan.groups().size() - 1);
            } else if (step instanceof PlanStep.AddHalo a) {
                ending.put(i, stage.label());
                stage = new Stage(plan, false, false, a.boundary());
            } else if (step instanceof PlanStep.ReduceGradients) {
                ending.put(i, stage.label() + ", grad reduce");
            }
        }
    }

    static StageLabels of(TrainingPlan plan) {
        return new StageLabels(plan);
    }

    /** The name of the stage that exchange step {@code step} (an index into the plan's steps) ends. */
    String ending(int step) {
        String label = ending.get(step);
        if (label == null) {
            throw new IllegalArgumentException("plan step " + step + " ends no stage");
        }
        return label;
    }

    /** {@code L7} or {@code L5-9}: cfg layers (Darknet's numbering). */
    static String layers(int first, int last) {
        return first == last ? "L" + first : "L" + first + "-" + last;
    }

    /** The stage being walked: its direction, group, and the cfg layers its tile steps cover. */
    private static final class Stage {
        private final TrainingPlan plan;
        private final boolean afterSync;
        private final boolean forward;
        private final int group;
        private int first = Integer.MAX_VALUE;
        private int last = -1;

        Stage(TrainingPlan plan, boolean afterSync, boolean forward, int group) {
            this.plan = plan;
            this.afterSync = afterSync;
            this.forward = forward;
            this.group = group;
        }

        /** The stage also runs the group's layers at positions {@code from..to} (either order). */
        void layers(int from, int to) {
            FusedGroup g = plan.group(group);
            for (int i = Math.min(from, to); i <= Math.max(from, to); i++) {
                first = Math.min(first, g.layers().get(i).block());
                last = Math.max(last, g.layers().get(i).block());
            }
        }

        String label() {
            return (afterSync ? "sync " : "") + (forward ? "fwd" : "bwd") + " g" + group + " "
                    + (last >= 0 ? StageLabels.layers(first, last) : forward ? "input" : "delta") + " "
                    + plan.group(group).grid();
        }
    }
}
