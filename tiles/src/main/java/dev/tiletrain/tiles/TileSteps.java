package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The work one tile does at each step of a {@link TrainingPlan}, and the tile-order reductions where tiles
 * meet. The in-process runner and the Spark job both run these, so they compute the same values; they only
 * differ in how states and pieces travel.
 */
public final class TileSteps {
    private final TrainingPlan plan;

    public TileSteps(TrainingPlan plan) {
        this.plan = plan;
    }

    public TrainingPlan plan() {
        return plan;
    }

    /** Tile {@code tile} of {@code group} holding its input region (group 0: its crop of the batch). */
    public TileState start(int group, int tile, Tensor input, boolean training, long seed) {
        FusedGroup g = plan.group(group);
        if (!input.rect.equals(g.input(tile))) {
            throw new IllegalArgumentException("tile " + tile + " of " + g + " reads " + g.input(tile) + ", given " + input.rect);
        }
        TilePass pass = new TilePass(training, seed);
        pass.own(g, tile);
        return new TileState(group, tile, pass, List.of(input), null);
    }

    public TileState forward(TileState s, PlanStep.Forward f) {
        FusedGroup g = plan.group(s.group());
        List<Tensor> a = new ArrayList<>(s.activations());
        TilePass pass = s.pass().copy();
        for (int i = f.from(); i <= f.to(); i++) {
            a.add(g.layer(i).forward(a.get(a.size() - 1), g.output(s.tile(), i), pass));
        }
        return new TileState(s.group(), s.tile(), pass, a, s.delta());
    }

    /** This tile's moments at the input of sync batch norm {@code layer}, over the positions it owns. */
    public BatchNorm.Moments moments(TileState s, int layer) {
        FusedGroup g = plan.group(s.group());
        return batchNorm(s, layer).moments(s.activations().get(layer), g.owned(s.tile(), layer));
    }

    /** The statistics all tiles agree on: moments added in tile order. */
    public static BatchNorm.Stats statistics(List<BatchNorm.Moments> inTileOrder) {
        BatchNorm.Moments total = inTileOrder.get(0);
        for (int t = 1; t < inTileOrder.size(); t++) {
            total = total.plus(inTileOrder.get(t));
        }
        return total.stats();
    }

    public TileState withStatistics(TileState s, int layer, BatchNorm.Stats st) {
        TilePass pass = s.pass().copy();
        pass.setStatistics(batchNorm(s, layer), st);
        return new TileState(s.group(), s.tile(), pass, s.activations(), s.delta());
    }

    /** The pieces of this tile's owned output (a tile of group {@code boundary}) that the next group reads. */
    public List<HaloPiece> haloOut(TileState s, int boundary) {
        List<HaloPiece> pieces = new ArrayList<>();
        for (HaloStrip strip : plan.boundary(boundary)) {
            if (strip.from() == s.tile()) {
                pieces.add(new HaloPiece(strip, s.last().crop(strip.rect())));
            }
        }
        return pieces;
    }

    /** Tile {@code tile} of group {@code boundary + 1}, its input region assembled from {@code pieces}. */
    public TileState gather(int boundary, int tile, List<HaloPiece> pieces, boolean training, long seed) {
        FusedGroup to = plan.group(boundary + 1);
        Tensor first = pieces.get(0).values();
        Tensor in = Tensor.zeros(first.n, first.c, to.input(tile));
        long covered = 0;
        for (HaloPiece p : pieces) {
            if (p.strip().to() != tile || p.strip().from() < 0) {
                throw new IllegalArgumentException("piece " + p.strip() + " is not for tile " + tile);
            }
            in.copyOverlap(p.values());
            covered += p.strip().rect().area();
        }
        if (covered != in.rect.area()) {
            throw new IllegalStateException("tile " + tile + " of group " + (boundary + 1) + " got " + covered
                    + " of " + in.rect.area() + " input positions");
        }
        return start(boundary + 1, tile, in, training, seed);
    }

    /** Starts backward with the delta of the tile's owned output of its group's last layer. */
    public TileState startBackward(TileState s, Tensor delta) {
        if (!delta.rect.equals(plan.group(s.group()).ownedOutput(s.tile()))) {
            throw new IllegalArgumentException("delta over " + delta.rect + " for tile " + s.tile() + " owning "
                    + plan.group(s.group()).ownedOutput(s.tile()));
        }
        return new TileState(s.group(), s.tile(), s.pass().copy(), s.activations(), delta);
    }

    public TileState backward(TileState s, PlanStep.Backward b) {
        FusedGroup g = plan.group(s.group());
        TilePass pass = s.pass().copy();
        Tensor d = s.delta();
        List<Tensor> a = s.activations();
        for (int i = b.from(); i >= b.to(); i--) {
            d = g.layer(i).backward(a.get(i), a.get(i + 1), d, pass);
        }
        return new TileState(s.group(), s.tile(), pass, a, d);
    }

    /** This tile's Σdz and Σdz·x̂ at sync batch norm {@code layer}, from its partial delta at the layer's output. */
    public BatchNorm.BackwardSums localSums(TileState s, int layer) {
        BatchNorm bn = batchNorm(s, layer);
        List<Tensor> a = s.activations();
        return bn.localSums(a.get(layer), a.get(layer + 1), s.delta(), s.pass().statistics(bn, null));
    }

    /** The backward sums all tiles agree on: added in tile order. */
    public static BatchNorm.BackwardSums backwardSums(List<BatchNorm.BackwardSums> inTileOrder) {
        BatchNorm.BackwardSums total = inTileOrder.get(0);
        for (int t = 1; t < inTileOrder.size(); t++) {
            total = total.plus(inTileOrder.get(t));
        }
        return total;
    }

    public TileState withBackwardSums(TileState s, int layer, BatchNorm.BackwardSums sums) {
        TilePass pass = s.pass().copy();
        pass.setBackwardSums(batchNorm(s, layer), sums);
        return new TileState(s.group(), s.tile(), pass, s.activations(), s.delta());
    }

    /** This tile's partial input delta (a tile of group {@code boundary + 1}), cut into pieces for the owners. */
    public List<HaloPiece> haloBack(TileState s, int boundary) {
        List<HaloPiece> pieces = new ArrayList<>();
        for (HaloStrip strip : plan.boundary(boundary)) {
            if (strip.to() == s.tile()) {
                pieces.add(new HaloPiece(strip, s.delta().crop(strip.rect())));
            }
        }
        return pieces;
    }

    /**
     * Starts {@code owner}'s backward (a tile of group {@code boundary}) from the delta of its owned output: the
     * pieces the next group sent back, added in tile order (a position no later tile read gets zero).
     */
    public TileState addHalo(TileState owner, int boundary, List<HaloPiece> pieces) {
        List<HaloPiece> ordered = new ArrayList<>(pieces);
        ordered.sort(Comparator.comparingInt(p -> p.strip().to()));
        Tensor out = owner.last();
        Tensor d = Tensor.zeros(out.n, out.c, plan.group(boundary).ownedOutput(owner.tile()));
        for (HaloPiece p : ordered) {
            if (p.strip().from() != owner.tile()) {
                throw new IllegalArgumentException("piece " + p.strip() + " is not for owner " + owner.tile());
            }
            d.addOverlap(p.values());
        }
        return startBackward(owner, d);
    }

    private BatchNorm batchNorm(TileState s, int layer) {
        return (BatchNorm) plan.group(s.group()).layer(layer);
    }
}

