package dev.tiletrain.job.train;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.tiles.FusedGroup;
import dev.tiletrain.tiles.HaloStrip;
import dev.tiletrain.tiles.PlanStep;
import dev.tiletrain.tiles.Prediction;
import dev.tiletrain.tiles.TrainingPlan;
import java.util.Optional;

/** The chosen plan as the driver logs it at start: groups, tile regions, halo per boundary, syncs, tail. */
public final class PlanTable {
    private PlanTable() {}

    /** Bytes that leave their tile per image and pass, one direction (the halo add sends as much back). */
    public static long haloBytesPerImage(TrainingPlan plan, int boundary) {
        long bytes = 0;
        for (HaloStrip s : plan.boundary(boundary)) {
            if (!s.local()) {
                bytes += s.bytesPerImage();
            }
        }
        return bytes;
    }

    /** Halo bytes per image and pass over every boundary, forward and back. */
    public static long haloBytesPerImage(TrainingPlan plan) {
        long bytes = 0;
        for (int b = 0; b + 1 < plan.groups().size(); b++) {
            bytes += 2 * haloBytesPerImage(plan, b);
        }
        return bytes;
    }

    public static String describe(TrainingPlan plan, int batch, Optional<Prediction> prediction) {
        StringBuilder t = new StringBuilder(String.format("%-6s %-9s %-5s %7s %-17s %-15s %s%n", "group", "blocks",
                "grid", "layers", "tile input (max)", "redundancy", "halo in, per pass"));
        for (FusedGroup g : plan.groups()) {
            long read = 0;
            int w = 0, h = 0;
            for (int tile = 0; tile < g.tiles(); tile++) {
                Rect r = g.input(tile);
                read += r.area();
                w = Math.max(w, r.width());
                h = Math.max(h, r.height());
            }
            String halo = g.index() == 0 ? "-" : String.format("%.3f MB", haloBytesPerImage(plan, g.index() - 1)
                    * batch / 1e6);
            t.append(String.format("%-6s %-9s %-5s %7d %-17s %-15s %s%n", "g" + g.index(),
                    StageLabels.layers(g.firstBlock(), g.lastBlock()), g.grid(), g.layers().size(), w + "x" + h,
                    String.format("%.1f%%", 100.0 * read / g.inputShape().full().area() - 100), halo));
        }
        long syncs = plan.steps().stream()
                .filter(s -> s instanceof PlanStep.SyncForward || s instanceof PlanStep.SyncBackward).count();
        long exchanges = plan.steps().stream().filter(s -> s instanceof PlanStep.SyncForward
                || s instanceof PlanStep.SyncBackward || s instanceof PlanStep.GatherHalo
                || s instanceof PlanStep.AddHalo).count() + 2;
        t.append(String.format("tail %s untiled; %d batch-norm syncs, %d shuffles per pass; halo %.3f MB per pass%n",
                StageLabels.layers(plan.lastTiledBlock() + 1, plan.network().blocks().size() - 1), syncs, exchanges,
                haloBytesPerImage(plan) * (double) batch / 1e6));
        prediction.ifPresent(p -> t.append(String.format(
                "predicted: %.2f s per iteration (compute %.2f, halo %.2f, tail %.2f, stages %.2f, copies %.2f, reduce %.2f%s), "
                + "peak memory %.1f MB per device, %.2f MB over the busiest link%n", p.iterationSeconds(),
                p.computeSeconds(), p.haloSeconds(), p.tailSeconds(), p.stageSeconds(), p.copySeconds(),
                p.reduceSeconds(), p.overlapSeconds() > 0 ? String.format(", hidden by overlapped passes %.2f",
                        p.overlapSeconds()) : "", p.peakMemory() / 1048576.0,
                java.util.Arrays.stream(p.linkBytes()).max().orElse(0) / 1e6)));
        return t.toString();
    }
}
