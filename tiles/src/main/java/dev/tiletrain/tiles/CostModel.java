package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.tensor.Rect;
import java.util.List;

/**
 * Predicts time and memory of one training iteration of a {@link TrainingPlan} on {@code devices}
 * identical devices ({@link DeviceProfile}). Tile {@code t} of every group runs on device
 * {@code t mod devices}; the untiled tail runs on device 0.
 *
 * <p>Time: per group, the slowest device's compute (forward + both gradients, redundant halo work
 * included); per boundary, the largest halo a device receives over its link, forward and backward; the
 * tail's gather, compute and scatter; one link round trip per batch-norm sync; Spark's per-stage overhead;
 * the gradient tree-reduction and the weight broadcast. Memory per device: weights and gradients, every
 * activation its tiles keep for backward (over their halo-expanded regions, times the batch), the largest
 * im2col buffer and two delta buffers; plus the tail on device 0.
 */
public final class CostModel {
    private final DeviceProfile profile;
    private final int devices;

    public CostModel(DeviceProfile profile, int devices) {
        if (devices < 1) {
            throw new IllegalArgumentException("devices must be at least 1");
        }
        this.profile = profile;
        this.devices = devices;
    }

    public int devices() {
        return devices;
    }

    /**
     * One group's share of an iteration, including the halo gather into it from {@code incoming}. Groups
     * add up: seconds and kept bytes sum, transient bytes take the maximum.
     */
    public record GroupCost(double computeSeconds, double haloSeconds, long haloBytes, double[] keptBytes,
                            double[] transientBytes, int syncs, int stages, double redundancy) {}

    public GroupCost group(FusedGroup g, List<HaloStrip> incoming, int batch) {
        double[] seconds = new double[devices], kept = new double[devices], peak = new double[devices];
        int[] tilesOn = new int[devices];
        for (int t = 0; t < g.tiles(); t++) {
            tilesOn[t % devices]++;
        }
        double[] tiled = new double[2], whole = new double[2]; // FLOPs, bytes of memory-bound layers
        for (int i = 0; i < g.layers().size(); i++) {
            addWork(whole, g.layer(i), g.layer(i).outputShape().full());
        }
        for (int t = 0; t < g.tiles(); t++) {
            int d = t % devices;
            int threads = Math.max(1, profile.cores() / tilesOn[d]);
            int parallel = Math.min(tilesOn[d], profile.cores());
            kept[d] += batch * 4.0 * g.inputShape().c() * g.input(t).area();
            for (int i = 0; i < g.layers().size(); i++) {
                Layer l = g.layer(i);
                Rect out = g.output(t, i);
                addWork(tiled, l, out);
                seconds[d] += batch * seconds(l, out, threads) / parallel;
                kept[d] += batch * LayerCost.outputBytes(l, out);
                peak[d] = Math.max(peak[d], batch * (LayerCost.workspaceBytes(l, out) + 2 * LayerCost.outputBytes(l, out)));
            }
        }
        // Redundant halo work, by FLOPs (by bytes for a group of memory-bound layers only).
        int unit = whole[0] > 0 ? 0 : 1;
        double redundancy = tiled[unit] / whole[unit] - 1;
        double[] in = new double[devices];
        long haloBytes = 0;
        for (HaloStrip s : incoming) {
            if (!s.local() && s.from() % devices != s.to() % devices) {
                in[s.to() % devices] += batch * s.bytesPerImage();
                haloBytes += batch * s.bytesPerImage();
            }
        }
        int syncs = 0;
        boolean syncFirst = false;
        for (int i = 0; i < g.layers().size(); i++) {
            if (TrainingPlan.syncs(g.layer(i))) {
                syncs++;
                syncFirst |= i == 0;
            }
        }
        // Forward and backward each run as one stage per stretch between syncs.
        int stages = 2 * (1 + syncs - (syncFirst ? 1 : 0));
        return new GroupCost(max(seconds), 2 * transfer(max(in)), haloBytes, kept, peak, 2 * syncs, stages, redundancy);
    }

    /** A group's whole time: compute, halo, its stages' scheduling overhead and its sync round trips. */
    public double seconds(GroupCost c) {
        return c.computeSeconds() + c.haloSeconds() + c.stages() * profile.stageOverheadMs() / 1000
                + syncSeconds(c.syncs());
    }

    public Prediction predict(TrainingPlan plan, int batch) {
        Network net = plan.network();
        double paramBytes = 0;
        for (Param p : net.params()) {
            paramBytes += 4.0 * p.size();
        }
        double[] kept = new double[devices], peak = new double[devices];
        double compute = 0, halo = 0;
        int syncs = 0, stages = 2; // the tail and the gradient reduction
        int groups = plan.groups().size();
        double[] redundancy = new double[groups];
        long[] haloBytes = new long[groups - 1];
        for (FusedGroup g : plan.groups()) {
            GroupCost c = group(g, g.index() == 0 ? List.of() : plan.boundary(g.index() - 1), batch);
            compute += c.computeSeconds();
            halo += c.haloSeconds();
            if (g.index() > 0) {
                haloBytes[g.index() - 1] = c.haloBytes();
            }
            for (int d = 0; d < devices; d++) {
                kept[d] += c.keptBytes()[d];
                peak[d] = Math.max(peak[d], c.transientBytes()[d]);
            }
            syncs += c.syncs();
            stages += c.stages();
            redundancy[g.index()] = c.redundancy();
        }
        double tail = 0;
        if (plan.hasTail()) {
            double mapBytes = batch * 4.0 * plan.group(groups - 1).outputShape().size() * (devices - 1) / devices;
            tail += 2 * transfer(mapBytes);
            for (Block b : net.blocks().subList(plan.lastTiledBlock() + 1, net.blocks().size())) {
                for (Layer l : b.layers()) {
                    tail += batch * seconds(l, l.outputShape().full(), profile.cores());
                    kept[0] += batch * LayerCost.outputBytes(l, l.outputShape().full());
                }
            }
        }
        long[] memory = new long[devices];
        for (int d = 0; d < devices; d++) {
            memory[d] = (long) (2 * paramBytes + kept[d] + peak[d]);
        }
        return new Prediction(memory, compute, halo, tail, syncSeconds(syncs), stages * profile.stageOverheadMs() / 1000,
                reduceSeconds(paramBytes), haloBytes, syncs, stages, redundancy);
    }

    /** Each sync is an all-gather of a few kilobytes: one link round trip. */
    double syncSeconds(int syncs) {
        return syncs * 2 * profile.linkLatencyMs() / 1000;
    }

    /** treeAggregate of the gradient (two levels) and the broadcast of the new weights. */
    double reduceSeconds(double paramBytes) {
        return devices > 1 ? 3 * transfer(paramBytes) : 0;
    }

    /** Training seconds (forward and backward) of one layer over {@code out}, per image. */
    private double seconds(Layer layer, Rect out, int threads) {
        if (LayerCost.memoryBound(layer)) {
            return 3 * LayerCost.forwardBytes(layer, out) / (profile.memoryGBps() * 1e9);
        }
        return 3 * LayerCost.forwardFlops(layer, out) / (profile.convGflops(threads) * 1e9);
    }

    private static void addWork(double[] flopsAndBytes, Layer layer, Rect out) {
        if (LayerCost.memoryBound(layer)) {
            flopsAndBytes[1] += LayerCost.forwardBytes(layer, out);
        } else {
            flopsAndBytes[0] += LayerCost.forwardFlops(layer, out);
        }
    }

    private double transfer(double bytes) {
        return bytes == 0 ? 0 : bytes * 8 / (profile.linkMbps() * 1e6) + profile.linkLatencyMs() / 1000;
    }

    private static double max(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}
