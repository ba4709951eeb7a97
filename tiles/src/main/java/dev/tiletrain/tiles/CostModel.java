package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.tensor.Rect;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Predicts time, memory and link traffic of one training iteration of a {@link TrainingPlan} on
 * {@code devices} identical devices ({@link DeviceProfile}), as the Spark job runs it. The driver, which runs
 * the untiled tail and keeps every weight, runs on device 0 (there is no server) and takes
 * {@link DeviceProfile#driverShare()} of its CPU while tiles compute. With fewer tiles than devices tile {@code t}
 * runs on device {@code t + 1} and device 0 only drives (the job releases its executor); otherwise tile {@code t}
 * runs on device {@code t mod devices}.
 *
 * <p>Time: per group, the slowest device's compute (forward + both gradients, redundant halo work
 * included); per boundary, the largest halo a device receives over its link forward (at the reader) and
 * backward (at the owner); one link round trip per batch-norm sync; Spark's overhead per stage and per pass
 * (a pass is two jobs, forward and backward, and the driver's hand-offs around the tail); the tail's
 * input gathered to the driver, its compute there and its gradient scattered back; the tiles' gradient
 * parts into the driver's link; per iteration the tiled layers' weights out of it and the driver's update.
 * Beside a link's time, every tensor that goes through Spark costs CPU to serialise, encrypt, copy and
 * deserialise ({@link DeviceProfile#sparkMbMs()} a megabyte): a device's halos in its own stages, and at the
 * driver everything it gathers, scatters, reduces and broadcasts — also over no link, on one device.
 *
 * <p>Memory per device, as an executor holds it ({@link TileMemory} and {@link TailMemory} count the
 * terms): the broadcast weights of the tiled layers and its tiled model's copy of them, a gradient part per
 * tile; for every tile it runs, in every group, what forward keeps for backward and the tile's partial
 * gradients, both alive until the iteration's reduction; and at the worst moment one group's backward —
 * the held and in-flight deltas of as many tiles as it runs at once, one im2col array per thread. Device 0
 * adds the driver: every weight, the momentum, the gradient vectors, the tail's working set.
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
     * add up: seconds, stages, syncs and per-device kept bytes sum; per-device transient bytes take the
     * maximum. {@code haloBytes} counts one direction (backward moves as much); {@code copyBytes} is what the
     * busiest device's executor writes and reads of halos, both directions.
     */
    public record GroupCost(double computeSeconds, double haloSeconds, long haloBytes, long copyBytes,
                            double[] keptBytes, double[] transientBytes, int syncs, int stages, double redundancy) {}

    public GroupCost group(FusedGroup g, List<HaloStrip> incoming, int batch) {
        double[] seconds = new double[devices], kept = new double[devices], transients = new double[devices];
        int[] tilesOn = tilesOn(g.tiles());
        double[] tiled = new double[2], whole = new double[2]; // FLOPs, bytes of memory-bound layers
        for (int i = 0; i < g.layers().size(); i++) {
            addWork(whole, g.layer(i), g.layer(i).outputShape().full());
        }
        double gradients = TileMemory.gradients(g);
        List<List<Double>> deltas = new ArrayList<>();
        double[] scratch = new double[devices];
        for (int d = 0; d < devices; d++) {
            deltas.add(new ArrayList<>());
        }
        for (int t = 0; t < g.tiles(); t++) {
            int d = device(t, g.tiles());
            int threads = Math.max(1, profile.cores() / tilesOn[d]);
            int parallel = Math.min(tilesOn[d], profile.cores());
            // The driver's device computes with what the driver leaves of its CPU.
            double left = d == 0 ? 1 - profile.driverShare() : 1;
            for (int i = 0; i < g.layers().size(); i++) {
                Layer l = g.layer(i);
                Rect out = g.output(t, i);
                addWork(tiled, l, out);
                seconds[d] += batch * seconds(l, out, threads) / parallel / left;
            }
            kept[d] += TileMemory.kept(g, t, batch) + gradients;
            deltas.get(d).add(TileMemory.heldDelta(g, t, batch) + TileMemory.backwardInFlight(g, t, batch));
            scratch[d] = Math.max(scratch[d], TileMemory.scratch(g, t));
        }
        for (int d = 0; d < devices; d++) {
            int parallel = Math.min(tilesOn[d], profile.cores());
            transients[d] = largest(deltas.get(d), parallel) + parallel * scratch[d];
        }
        // Redundant halo work, by FLOPs (by bytes for a group of memory-bound layers only).
        int unit = whole[0] > 0 ? 0 : 1;
        double redundancy = tiled[unit] / whole[unit] - 1;
        double[] forward = new double[devices], backward = new double[devices];
        long haloBytes = 0;
        double[] copies = new double[devices];
        for (HaloStrip s : incoming) {
            int from = device(s.from(), g.tiles()), to = device(s.to(), g.tiles());
            if (!s.local() && from != to) {
                forward[to] += batch * s.bytesPerImage();
                backward[from] += batch * s.bytesPerImage();
                haloBytes += batch * s.bytesPerImage();
                // Forward the owner writes it and the reader reads it; backward the other way round.
                copies[from] += 2.0 * batch * s.bytesPerImage();
                copies[to] += 2.0 * batch * s.bytesPerImage();
            }
        }
        int syncs = 0;
        for (int i = 0; i < g.layers().size(); i++) {
            if (TrainingPlan.syncs(g.layer(i))) {
                syncs++;
            }
        }
        // Spark stages, as the job cuts them: forward and backward each run a stage up to each sync and one up
        // to the exchange that ends the direction (the halo gather, the tail, the halo add, the reduction),
        // also when it runs no layer: a group ending in a batch norm starts its backward with a stage that only
        // takes the delta in and sums it for the sync.
        int stages = 2 * (1 + syncs);
        return new GroupCost(max(seconds), transfer(max(forward)) + transfer(max(backward)), haloBytes,
                (long) max(copies), kept, transients, 2 * syncs, stages, redundancy);
    }

    /** A group's whole time: compute, halo and its copies, its stages' scheduling overhead, its sync round trips. */
    public double seconds(GroupCost c) {
        return c.computeSeconds() + c.haloSeconds() + copySeconds(c.copyBytes())
                + c.stages() * profile.stageOverheadMs() / 1000 + syncSeconds(c.syncs());
    }

    public Prediction predict(TrainingPlan plan, int batch) {
        return predict(plan, batch, 1);
    }

    /** One pass at a time: {@link #predict(TrainingPlan, int, int, boolean)} without overlap. */
    public Prediction predict(TrainingPlan plan, int batch, int passes) {
        return predict(plan, batch, passes, false);
    }

    /**
     * One iteration of {@code passes} passes of {@code batch} images each, as the Spark job runs it: per pass
     * the tiles' groups (tile {@code t} on device {@code t mod devices}), the untiled tail on the driver, which
     * runs on device 0 and keeps the whole model, and the tiles' gradient parts sent to it; per iteration the
     * tiled layers' new weights broadcast to the other devices and the driver's update of every parameter.
     *
     * <p>{@code overlapped}: a pass's tiles run while the driver computes the tail of the pass before (the job's
     * {@code overlapPasses}). Each device with a tile then holds two passes' tile states; time is hidden only when
     * device 0 runs no tile (fewer tiles than devices), as measured: beside the driver a tile's next forward takes
     * the tail's CPU. With the tiles' part of a pass S and the tail T, the executors need {@code passes}·S and the
     * driver runs one tail at a time after the first forward, so an iteration takes about max(passes·S, S +
     * passes·T) instead of passes·(S + T): min(passes·T, (passes − 1)·S) is hidden.
     */
    public Prediction predict(TrainingPlan plan, int batch, int passes, boolean overlapped) {
        Network net = plan.network();
        double[] kept = new double[devices], transients = new double[devices];
        long[] link = new long[devices];
        double compute = 0, halo = 0, copied = 0;
        int syncs = 0, stages = 0;
        int groups = plan.groups().size();
        double[] redundancy = new double[groups];
        long[] haloBytes = new long[groups - 1];
        for (FusedGroup g : plan.groups()) {
            List<HaloStrip> incoming = g.index() == 0 ? List.of() : plan.boundary(g.index() - 1);
            GroupCost c = group(g, incoming, batch);
            compute += c.computeSeconds();
            halo += c.haloSeconds();
            copied += c.copyBytes();
            if (g.index() > 0) {
                haloBytes[g.index() - 1] = c.haloBytes();
            }
            for (HaloStrip h : incoming) {
                int from = device(h.from(), g.tiles()), to = device(h.to(), g.tiles());
                if (!h.local() && from != to) {
                    // Forward to the reader, and as much back to the owner: out of one link and into the other.
                    link[from] += 2L * batch * h.bytesPerImage();
                    link[to] += 2L * batch * h.bytesPerImage();
                }
            }
            for (int d = 0; d < devices; d++) {
                kept[d] += c.keptBytes()[d];
                transients[d] = Math.max(transients[d], c.transientBytes()[d]);
            }
            syncs += c.syncs();
            stages += c.stages();
            redundancy[g.index()] = c.redundancy();
        }
        int tiles = plan.group(0).tiles();
        double tiled = 4.0 * tiledParameters(plan);
        // The tail: the last group's owned outputs to the driver and their gradient back, over each tile's link.
        FusedGroup last = plan.group(groups - 1);
        double tail = 0, toDriver = 0;
        for (int t = 0; t < last.tiles(); t++) {
            long bytes = 4L * batch * last.outputShape().c() * last.ownedOutput(t).area();
            copied += 2 * bytes; // through Spark also from device 0's own executor
            int d = device(t, tiles);
            if (d != 0) {
                link[d] += 2 * bytes;
                link[0] += 2 * bytes;
                toDriver += bytes;
            }
        }
        tail += 2 * transfer(toDriver);
        for (Block b : net.blocks().subList(plan.lastTiledBlock() + 1, net.blocks().size())) {
            for (Layer l : b.layers()) {
                tail += batch * seconds(l, l.outputShape().full(), profile.cores());
            }
        }
        // Each tile's gradient of the tiled layers goes to the driver once per pass.
        copied += tiles * tiled;
        int remoteTiles = 0;
        for (int t = 0; t < tiles; t++) {
            int d = device(t, tiles);
            if (d != 0) {
                remoteTiles++;
                link[d] += (long) tiled;
            }
        }
        link[0] += (long) (remoteTiles * tiled);
        double params = parameterBytes(net, false), trainable = parameterBytes(net, true);
        // The driver (on device 0): every weight, the momentum, the iteration's and the pass's gradients, the
        // tile parts as they arrive, the tail's working set and gradients.
        double driver = params + trainable + 2 * params + Math.min(tiles, 2) * tiled + TailMemory.working(plan, batch)
                + TailMemory.scratch(plan) + TailMemory.gradients(plan);
        // Only devices with a tile hold an executor's share: the broadcast weights and its tiled model's copy, one
        // part per tile it runs.
        long[] memory = new long[devices];
        int[] tilesOn = tilesOn(tiles);
        int others = 0, inFlight = overlapped && passes > 1 ? 2 : 1;
        for (int d = 0; d < devices; d++) {
            if (tilesOn[d] > 0) {
                memory[d] = (long) (2 * tiled + tiled * tilesOn[d] + inFlight * (kept[d] + transients[d]));
                others += d > 0 ? 1 : 0;
            }
        }
        memory[0] += (long) driver;
        // Per iteration: the tiled layers' weights to every other device with a tile, the driver's update of
        // every parameter.
        double broadcast = others > 0 ? transfer(others * tiled) : 0;
        for (int d = 1; d < devices; d++) {
            if (tilesOn[d] > 0) {
                link[d] += (long) (tiled / passes);
            }
        }
        link[0] += (long) (others * tiled / passes);
        double update = 5 * params / (profile.memoryGBps() * 1e9);
        for (int d = 0; d < devices; d++) {
            link[d] *= passes;
        }
        // The tiled layers' weights, serialised once per iteration for the broadcast.
        double copySeconds = copySeconds(passes * copied + tiled);
        double stageSeconds = (stages * profile.stageOverheadMs() + profile.passOverheadMs()) / 1000;
        double tilesPart = compute + halo + syncSeconds(syncs) + stageSeconds;
        double hidden = inFlight == 2 && tiles < devices ? Math.min(passes * tail, (passes - 1) * tilesPart) : 0;
        return new Prediction(memory, passes * compute, passes * halo, passes * tail, passes * syncSeconds(syncs),
                passes * stageSeconds, copySeconds, passes * transfer(remoteTiles * tiled) + broadcast + update, hidden,
                haloBytes, passes * syncs, passes * stages, redundancy, link);
    }

    /** The device that runs tile {@code tile} of {@code tiles} (see the class comment). */
    private int device(int tile, int tiles) {
        return tiles < devices ? tile + 1 : tile % devices;
    }

    /** How many of {@code tiles} tiles each device runs. */
    private int[] tilesOn(int tiles) {
        int[] on = new int[devices];
        for (int t = 0; t < tiles; t++) {
            on[device(t, tiles)]++;
        }
        return on;
    }

    /** Each sync is an all-gather of a few kilobytes: one link round trip. */
    double syncSeconds(int syncs) {
        return syncs * 2 * profile.linkLatencyMs() / 1000;
    }

    /** Floats of the tiled layers' parameters: what is broadcast to the devices and what each tile's gradient covers. */
    static double tiledParameters(TrainingPlan plan) {
        double floats = 0;
        for (FusedGroup g : plan.groups()) {
            for (PrefixLayer l : g.layers()) {
                for (Param p : l.layer().params()) {
                    floats += p.size();
                }
            }
        }
        return floats;
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

    /** Bytes of every parameter (the broadcast weights), or of the trainable ones (the gradient vector). */
    static double parameterBytes(Network net, boolean trainableOnly) {
        double bytes = 0;
        for (Param p : net.params()) {
            if (!trainableOnly || p.role.trainable) {
                bytes += 4.0 * p.size();
            }
        }
        return bytes;
    }

    /** CPU seconds to move {@code bytes} through Spark beside the link's time (see {@link DeviceProfile#sparkMbMs()}). */
    private double copySeconds(double bytes) {
        return bytes / 1e6 * profile.sparkMbMs() / 1000;
    }

    private double transfer(double bytes) {
        return bytes == 0 ? 0 : bytes * 8 / (profile.linkMbps() * 1e6) + profile.linkLatencyMs() / 1000;
    }

    /** The sum of the {@code count} largest values. */
    static double largest(List<Double> values, int count) {
        return values.stream().sorted(Comparator.reverseOrder()).limit(count).mapToDouble(Double::doubleValue).sum();
    }

    private static double max(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}
