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
 * group started), so time adds along a cut sequence, and so does each device's kept memory, while each
 * device's transient memory is the largest of any group's. Each end point keeps the cut sequences reaching
 * it that no other beats or equals in time and in every device's kept and transient bytes: whatever
 * follows, a beaten sequence is never faster nor smaller on any device. The surviving plans at the chosen
 * prefix end are then predicted exactly and the fastest that fits the cap wins, as an exhaustive search
 * would choose.
 */
public final class Planner {
    private final Network network;
    private final CostModel model;
    private final long memoryCap;
    private final int batch;
    private final int passes;
    private final boolean overlap;

    /**
     * The chosen plan, its prediction (its {@code overlapSeconds} above 0 when it overlaps the passes), and how many
     * plans were predicted exactly.
     */
    public record Choice(TrainingPlan plan, Prediction prediction, int evaluated) {}

    /** One pass of {@code batch} images an iteration. */
    public Planner(Network network, CostModel model, long memoryCap, int batch) {
        this(network, model, memoryCap, batch, 1, false);
    }

    /**
     * {@code passes} passes of {@code batch} images an iteration; with {@code overlap} a plan may also be predicted
     * with its passes overlapped ({@link CostModel#predict(TrainingPlan, int, int, boolean)}), which holds two
     * passes' tile states, and is then chosen when that is faster and still fits the cap.
     */
    public Planner(Network network, CostModel model, long memoryCap, int batch, int passes, boolean overlap) {
        this.network = network;
        this.model = model;
        this.memoryCap = memoryCap;
        this.batch = batch;
        this.passes = passes;
        this.overlap = overlap;
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
            Prediction pr = predict(p);
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

    /**
     * {@code plan} one pass at a time, or with its passes overlapped where the planner may overlap them, that is
     * faster and both passes' tile states fit the cap.
     */
    public Prediction predict(TrainingPlan plan) {
        Prediction serial = model.predict(plan, batch, passes);
        if (overlap) {
            Prediction overlapped = model.predict(plan, batch, passes, true);
            if (overlapped.peakMemory() <= memoryCap && overlapped.iterationSeconds() < serial.iterationSeconds()) {
                return overlapped;
            }
        }
        return serial;
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

    /** A cut sequence ending at some block: its summed time, per-device kept bytes and largest transient bytes. */
    private record Cuts(List<int[]> ranges, double seconds, double[] kept, double[] transients) {
        Grouping grouping() {
            return new Grouping(ranges);
        }

        Cuts then(int first, int last, double groupSeconds, CostModel.GroupCost c) {
            List<int[]> r = new ArrayList<>(ranges);
            r.add(new int[] {first, last});
            double[] k = kept.clone(), m = transients.clone();
            for (int d = 0; d < k.length; d++) {
                k[d] += c.keptBytes()[d];
                m[d] = Math.max(m[d], c.transientBytes()[d]);
            }
            return new Cuts(r, seconds + groupSeconds, k, m);
        }

        /** No slower and no larger on any device. */
        boolean covers(Cuts o) {
            if (seconds > o.seconds) {
                return false;
            }
            for (int d = 0; d < kept.length; d++) {
                if (kept[d] > o.kept[d] || transients[d] > o.transients[d]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** For every end block, the cut sequences over blocks 0..end that no other covers. */
    private List<List<Cuts>> fronts(Grid grid, int last, List<String> misfits) {
        Map<Long, CostModel.GroupCost> costs = new HashMap<>();
        List<List<Cuts>> fronts = new ArrayList<>();
        int devices = model.devices();
        Cuts none = new Cuts(List.of(), 0, new double[devices], new double[devices]);
        for (int e = 0; e <= last; e++) {
            List<Cuts> reach = new ArrayList<>();
            for (int s = 0; s <= e; s++) {
                CostModel.GroupCost c = cost(grid, s, e, costs, misfits);
                if (c == null) {
                    continue;
                }
                double seconds = model.seconds(c);
                for (Cuts b : s == 0 ? List.of(none) : fronts.get(s - 1)) {
                    reach.add(b.then(s, e, seconds, c));
                }
            }
            fronts.add(front(reach));
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

    /** The sequences no other covers; of equal ones, the first. */
    private static List<Cuts> front(List<Cuts> all) {
        all.sort(Comparator.comparingDouble(Cuts::seconds));
        List<Cuts> front = new ArrayList<>();
        for (Cuts c : all) {
            if (front.stream().noneMatch(f -> f.covers(c))) {
                front.add(c);
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

    static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1048576.0);
    }
}
