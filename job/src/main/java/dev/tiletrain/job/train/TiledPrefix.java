package dev.tiletrain.job.train;

import dev.tiletrain.data.TileCrop;
import dev.tiletrain.job.rdd.PassSum;
import dev.tiletrain.job.rdd.TileBlock;
import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.NetConfig;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.parallel.ComputeThreads;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.tiles.FusedGroup;
import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import dev.tiletrain.tiles.TileState;
import dev.tiletrain.tiles.TileSteps;
import dev.tiletrain.tiles.TrainingPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tiled layers of a run as an executor JVM holds them: a network of the tiled blocks only (the tail's
 * weights never reach an executor), its plan and tile steps, and the reader of each tile's crop of the
 * training batches. Its parameter layout is the first part of the whole model's, so the broadcast weights
 * and each tile's gradient are vectors over exactly those parameters. Built once per run and JVM from the
 * broadcast {@link RunSpec}.
 */
public final class TiledPrefix {
    private final Model model;
    private final TrainingPlan plan;
    private final TileSteps steps;
    private final TileCrop crop;

    private TiledPrefix(RunSpec spec) {
        ComputeThreads.set(spec.threads());
        Cfg cfg = spec.cfg();
        Grouping grouping = Grouping.parse(spec.grouping());
        model = ModelBuilder.build(cfg.prefix(grouping.lastBlock()), spec.mode(), spec.backward(), spec.seed(),
                new Shape(NetConfig.of(cfg).channels(), spec.height(), spec.width()));
        plan = TrainingPlan.of(model.network(), grouping, Grid.parse(spec.grid()));
        steps = new TileSteps(plan);
        crop = new TileCrop(spec.files(), spec.schedule(cfg));
    }

    public static TiledPrefix of(RunSpec spec) {
        return new TiledPrefix(spec);
    }

    public TrainingPlan plan() {
        return plan;
    }

    public TileSteps steps() {
        return steps;
    }

    /** Takes the weights of the tiled layers (their layout: the first floats of the whole model's). */
    public void load(float[] weights) {
        model.layout().unflatten(weights);
    }

    /** A state of this JVM's plan as a cached-RDD element. */
    public TileBlock block(TileState s) {
        return TileBlock.of(s, plan);
    }

    /** Tile {@code tile} of group 0 at the start of pass {@code pass}: its crop of the batch, read here. */
    public TileState start(int tile, long pass, long passSeed) {
        return steps.start(0, tile, crop.crop(pass, plan.group(0).input(tile)), true, passSeed);
    }

    /** What the tail needs of a tile of the last group: the part of the group's output map it owns. */
    public Tensor ownedOutput(TileState s) {
        FusedGroup last = plan.group(plan.groups().size() - 1);
        return s.last().crop(last.ownedOutput(s.tile()));
    }

    /**
     * One tile's part of the pass from its last state in every group: its gradient over all tiled
     * parameters (each group's state holds that group's), and for tile 0 the statistics its groups synced.
     */
    public PassSum part(List<TileState> byGroup) {
        int tile = byGroup.get(0).tile();
        float[] gradient = model.layout().flatten(p -> gradientOf(byGroup, p));
        List<BatchNorm> norms = model.network().batchNorms();
        List<Integer> of = new ArrayList<>();
        List<BatchNorm.Stats> stats = new ArrayList<>();
        if (tile == 0) {
            for (TileState s : byGroup) {
                for (Map.Entry<BatchNorm, BatchNorm.Stats> e : s.pass().statistics().entrySet()) {
                    of.add(norms.indexOf(e.getKey()));
                    stats.add(e.getValue());
                }
            }
        }
        return PassSum.part(tile, plan.group(0).tiles(), gradient, of.stream().mapToInt(Integer::intValue).toArray(),
                stats.toArray(BatchNorm.Stats[]::new));
    }

    private static float[] gradientOf(List<TileState> byGroup, Param p) {
        for (TileState s : byGroup) {
            float[] g = s.pass().gradients().get(p);
            if (g != null) {
                return g;
            }
        }
        return null;
    }
}
