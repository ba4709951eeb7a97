package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.net.Network;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses what the user left {@code auto}: the tiled prefix, the grid (every N×M with N·M ≤ devices) and
 * the group cuts, minimizing the {@link CostModel}'s predicted iteration time under the device memory cap.
 *
 * <p>Cuts by dynamic programming over cut points: a group's cost depends only on its first and last
 * block and the grid (the halo it gathers depends on the grid of its input map, not on where the previous
 * group started), so costs add along a cut sequence. Memory adds too, so each end point keeps the Pareto
 * front of (time, memory) over the cut sequences reaching it; the front's plans at the chosen prefix end
 * are then predicted exactly and the fastest that fits wins.
 */
public final class Planner {
    private final Network network;
    private final CostModel model;
    private final long memoryCap;
    private final int batch;

    /** The chosen plan, its prediction, and how many plans were predicted exactly. */
    public record Choice(TrainingPlan plan, Prediction prediction, int evaluated) {}

    public Planner(Network network, CostModel model, long memoryCap, int batch) {
        this.network = network;
        this.model = model;
        this.memoryCap = memoryCap;
        this.batch = batch;
    }

    /**
     * @param lastTiled the last tiled block, or null for auto
     * @param grid the grid, or null for auto
     * @param grouping the cuts, or null for auto (when given it also fixes the tiled prefix)
     */
    public Choice choose(Integer lastTiled, Grid grid, Grouping grouping) {
        int longest = TrainingPlan.longestTileablePrefix(network);
        List<Grid> grids = grid != null ? List.of(grid) : gridsUpTo(model.devices());
        List<TrainingPlan> candidates = new ArrayList<>();
        List<String> misfits = new ArrayList<>();
        for (Grid g : grids) {
            if (grouping != null) {
                tryAdd(candidates, misfits, () -> TrainingPlan.of(network, grouping, g));
                continue;
            }
            List<List<Cuts>> fronts = fronts(g, lastTiled != null ? lastTiled : longest, misfits);
            int lo = lastTiled != null ? lastTiled : 0, hi = lastTiled != null ? lastTiled : longest;
            for (int k = lo; k <= hi; k++) {
                for (Cuts c : fronts.get(k)) {
                    tryAdd(candidates, misfits, () -> TrainingPlan.of(network, c.grouping(), g));
                }
            }
        }
        Choice best = null;
        long smallest = Long.MAX_VALUE;
        for (TrainingPlan p : candidates) {
            Prediction pr = model.predict(p, batch);
            smallest = Math.min(smallest, pr.peakMemory());
            if (pr.peakMemory() <= memoryCap
                    && (best == null || pr.iterationSeconds() < best.prediction().iterationSeconds())) {
                best = new Choice(p, pr, candidates.size());
            }
        }
        if (best == null) {
            throw new IllegalArgumentException(candidates.isEmpty()
                    ? "no plan fits the map: " + String.join("; ", misfits)
                    : "no plan fits the memory cap of " + mb(memoryCap) + " per device; the smallest of "
                    + candidates.size() + " candidates needs " + mb(smallest) + " (use a smaller batch, a finer grid or more devices)");
        }
        return best;
    }

    /** Every N×M grid with N·M ≤ devices. */
    static List<Grid> gridsUpTo(int devices) {
        List<Grid> g = new ArrayList<>();
        for (int r = 1; r <= devices; r++) {
            for (int c = 1; r * c <= devices; c++) {
                g.add(new Grid(r, c));
            }
        }
        return g;
    }

    /** A cut sequence ending at some block, with its summed time and memory. */
    private record Cuts(List<int[]> ranges, double seconds, double memory) {
        Grouping grouping() {
            return new Grouping(ranges);
        }
    }

    /** For every end block, the Pareto front of cut sequences over blocks 0..end. */
    private List<List<Cuts>> fronts(Grid grid, int last, List<String> misfits) {
        Map<Long, CostModel.GroupCost> costs = new HashMap<>();
        List<List<Cuts>> fronts = new ArrayList<>();
        for (int e = 0; e <= last; e++) {
            List<Cuts> reach = new ArrayList<>();
            for (int s = 0; s <= e; s++) {
                CostModel.GroupCost c = cost(grid, s, e, costs, misfits);
                if (c == null) {
                    continue;
                }
                double seconds = model.seconds(c);
                double memory = max(c.keptBytes()) + max(c.transientBytes());
                List<Cuts> before = s == 0 ? List.of(new Cuts(List.of(), 0, 0)) : fronts.get(s - 1);
                for (Cuts b : before) {
                    List<int[]> r = new ArrayList<>(b.ranges());
                    r.add(new int[] {s, e});
                    reach.add(new Cuts(r, b.seconds() + seconds, b.memory() + memory));
                }
            }
            fronts.add(pareto(reach));
        }
        return fronts;
    }

    private CostModel.GroupCost cost(Grid grid, int s, int e, Map<Long, CostModel.GroupCost> memo, List<String> misfits) {
        long key = (long) s << 32 | e;
        if (memo.containsKey(key)) {
            return memo.get(key);
        }
        CostModel.GroupCost c = null;
        try {
            List<PrefixLayer> layers = new ArrayList<>();
            for (int b = s; b <= e; b++) {
                for (Layer l : network.block(b).layers()) {
                    layers.add(new PrefixLayer(layers.size(), b, l));
                }
            }
            FusedGroup g = new FusedGroup(0, layers, grid);
            List<HaloStrip> in = s == 0 ? List.of() : TrainingPlan.strips(grid, network.block(s - 1).output(), g);
            c = model.group(g, in, batch);
        } catch (IllegalArgumentException tooFine) {
            misfits.add(grid + " at blocks " + s + "-" + e + ": " + tooFine.getMessage());
        }
        memo.put(key, c);
        return c;
    }

    private static List<Cuts> pareto(List<Cuts> all) {
        all.sort(Comparator.comparingDouble(Cuts::seconds).thenComparingDouble(Cuts::memory));
        List<Cuts> front = new ArrayList<>();
        double bestMemory = Double.MAX_VALUE;
        for (Cuts c : all) {
            if (c.memory() < bestMemory) {
                front.add(c);
                bestMemory = c.memory();
            }
        }
        return front;
    }

    private static void tryAdd(List<TrainingPlan> plans, List<String> misfits, java.util.function.Supplier<TrainingPlan> plan) {
        try {
            plans.add(plan.get());
        } catch (IllegalArgumentException e) {
            misfits.add(e.getMessage());
        }
    }

    private static double max(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1048576.0);
    }
}
