package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * A network cut into fused tile groups over its first blocks and an untiled tail, as data: the groups'
 * geometry, the halo strips at each group boundary, and the operators of one training iteration in
 * dependency order. Spark-free; the in-process runner and the Spark job both execute it.
 */
public final class TrainingPlan {
    private final Network network;
    private final List<FusedGroup> groups;
    private final List<List<HaloStrip>> boundaries;
    private final List<PlanStep> steps;

    private TrainingPlan(Network network, List<FusedGroup> groups) {
        this.network = network;
        this.groups = List.copyOf(groups);
        List<List<HaloStrip>> b = new ArrayList<>();
        for (int g = 0; g + 1 < groups.size(); g++) {
            FusedGroup from = groups.get(g);
            b.add(strips(from.grid(), from.outputShape(), groups.get(g + 1)));
        }
        this.boundaries = List.copyOf(b);
        this.steps = List.copyOf(orderSteps());
    }

    /** Plans {@code network} with the tiled prefix cut by {@code grouping}, every group on {@code grid}. */
    public static TrainingPlan of(Network network, Grouping grouping, Grid grid) {
        int lastTiled = grouping.lastBlock();
        if (lastTiled >= network.blocks().size()) {
            throw new IllegalArgumentException("groups " + grouping + " reach block " + lastTiled
                    + " but the network has blocks 0-" + (network.blocks().size() - 1));
        }
        for (int b = 0; b <= lastTiled; b++) {
            Block block = network.block(b);
            if (!block.tileable()) {
                throw new IllegalArgumentException("block " + b + " [" + block.type() + "] cannot be tiled: "
                        + "the tiled prefix must end before it (at most " + (b - 1) + ")");
            }
        }
        for (int b = lastTiled + 1; b < network.blocks().size(); b++) {
            for (int src : network.block(b).inputs()) {
                if (src < lastTiled) {
                    throw new IllegalArgumentException("block " + b + " [" + network.block(b).type()
                            + "] reads block " + src + " inside the tiled prefix 0-" + lastTiled
                            + ": end the prefix at or before block " + src);
                }
            }
        }
        List<FusedGroup> groups = new ArrayList<>();
        int position = 0;
        for (int g = 0; g < grouping.size(); g++) {
            int[] r = grouping.ranges().get(g);
            List<PrefixLayer> layers = new ArrayList<>();
            for (int b = r[0]; b <= r[1]; b++) {
                for (Layer l : network.block(b).layers()) {
                    layers.add(new PrefixLayer(position++, b, l));
                }
            }
            groups.add(new FusedGroup(g, layers, grid));
        }
        return new TrainingPlan(network, groups);
    }

    /** The longest prefix of tileable blocks, as one group; the network's first block must be tileable. */
    public static int longestTileablePrefix(Network network) {
        int b = 0;
        while (b < network.blocks().size() && network.block(b).tileable()) {
            b++;
        }
        if (b == 0) {
            throw new IllegalArgumentException("block 0 [" + network.block(0).type() + "] cannot be tiled");
        }
        return b - 1;
    }

    /**
     * The strips group {@code to} gathers from the owners of its input map, which the previous group's grid
     * {@code from} cut into owned tiles (whatever layers that group spans).
     */
    static List<HaloStrip> strips(Grid from, Shape map, FusedGroup to) {
        boolean sameGrid = from.equals(to.grid());
        Rect[] owned = from.owned(map.w(), map.h());
        List<HaloStrip> strips = new ArrayList<>();
        for (int t = 0; t < to.tiles(); t++) {
            for (int u = 0; u < owned.length; u++) {
                Rect r = owned[u].intersect(to.input(t));
                if (r != null) {
                    strips.add(new HaloStrip(u, t, r, map.c(), sameGrid && u == t));
                }
            }
        }
        return strips;
    }

    private List<PlanStep> orderSteps() {
        List<PlanStep> s = new ArrayList<>();
        s.add(new PlanStep.ReadInput());
        for (FusedGroup g : groups) {
            if (g.index() > 0) {
                s.add(new PlanStep.GatherHalo(g.index() - 1));
            }
            int from = 0;
            for (int i = 0; i < g.layers().size(); i++) {
                if (syncs(g.layer(i))) {
                    if (i > from) {
                        s.add(new PlanStep.Forward(g.index(), from, i - 1));
                    }
                    s.add(new PlanStep.SyncForward(g.index(), i));
                    from = i;
                }
            }
            s.add(new PlanStep.Forward(g.index(), from, g.layers().size() - 1));
        }
        s.add(new PlanStep.Tail(lastTiledBlock() + 1, network.blocks().size() - 1));
        for (int gi = groups.size() - 1; gi >= 0; gi--) {
            FusedGroup g = groups.get(gi);
            int from = g.layers().size() - 1;
            for (int i = from; i >= 0; i--) {
                if (syncs(g.layer(i))) {
                    if (from > i) {
                        s.add(new PlanStep.Backward(gi, from, i + 1));
                    }
                    s.add(new PlanStep.SyncBackward(gi, i));
                    from = i;
                }
            }
            s.add(new PlanStep.Backward(gi, from, 0));
            if (gi > 0) {
                s.add(new PlanStep.AddHalo(gi - 1));
            }
        }
        s.add(new PlanStep.ReduceGradients());
        return s;
    }

    /** A batch norm whose training statistics span the whole map: tiles must meet there. */
    public static boolean syncs(Layer layer) {
        return layer instanceof BatchNorm bn && bn.mode() == BatchNorm.Mode.SYNC;
    }

    public Network network() {
        return network;
    }

    public List<FusedGroup> groups() {
        return groups;
    }

    public FusedGroup group(int g) {
        return groups.get(g);
    }

    /** Strips between group {@code b} and {@code b + 1}. */
    public List<HaloStrip> boundary(int b) {
        return boundaries.get(b);
    }

    public List<PlanStep> steps() {
        return steps;
    }

    /** The plan's cuts over the tiled prefix. */
    public Grouping grouping() {
        return new Grouping(groups.stream().map(g -> new int[] {g.firstBlock(), g.lastBlock()}).toList());
    }

    public int lastTiledBlock() {
        return groups.get(groups.size() - 1).lastBlock();
    }

    public boolean hasTail() {
        return lastTiledBlock() < network.blocks().size() - 1;
    }
}
