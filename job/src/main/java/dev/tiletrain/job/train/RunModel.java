package dev.tiletrain.job.train;

import dev.tiletrain.data.Augmentation;
import dev.tiletrain.data.BatchSchedule;
import dev.tiletrain.data.BatchTruth;
import dev.tiletrain.data.Dataset;
import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.data.TileCrop;
import dev.tiletrain.job.rdd.PassSum;
import dev.tiletrain.job.rdd.TileBlock;
import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.cfg.NetConfig;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.net.Backprop;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.net.OutputSeed;
import dev.tiletrain.ops.net.Trace;
import dev.tiletrain.ops.optim.ParamLayout;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.tiles.FusedGroup;
import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import dev.tiletrain.tiles.PlanStep;
import dev.tiletrain.tiles.TileSteps;
import dev.tiletrain.tiles.TileState;
import dev.tiletrain.tiles.TrainingPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The run as one JVM holds it, built from a {@link RunSpec} the same way on the driver and on every
 * executor: the model, the plan and its tile steps, the data readers of the training schedule, and where
 * each part of the plan puts its gradients in the flat layout. The driver's copy takes the optimizer's
 * updates; an executor's copy takes the broadcast weights ({@link ExecutorModel}).
 */
public final class RunModel {
    private final RunSpec spec;
    private final Model model;
    private final TrainingPlan plan;
    private final TileSteps steps;
    private final PlanStep.Tail tail;
    private final TileCrop crop;
    private final BatchTruth truth;
    private final Slice[] groupSlices;
    private final Slice tailSlice;
    private final Map<BatchNorm, Integer> batchNormIndex = new IdentityHashMap<>();

    private RunModel(RunSpec spec) {
        this.spec = spec;
        Cfg cfg = CfgParser.parse(spec.cfgText(), spec.cfgName());
        model = ModelBuilder.build(cfg, spec.mode(), spec.backward(), spec.seed(), new Shape(NetConfig.of(cfg).channels(), spec.height(),
                spec.width()));
        Network net = model.network();
        plan = TrainingPlan.of(net, Grouping.parse(spec.grouping()), Grid.parse(spec.grid()));
        if (!plan.hasTail()) {
            throw new IllegalArgumentException("the tiled prefix " + spec.grouping() + " covers the whole of "
                    + spec.cfgName() + ": the loss layer must run untiled, after it");
        }
        steps = new TileSteps(plan);
        // The job's halo exchange keeps tile i of every group in partition i.
        for (FusedGroup g : plan.groups()) {
            if (!g.grid().equals(plan.group(0).grid())) {
                throw new IllegalArgumentException(g + " has another grid than group 0: the Spark job needs one grid");
            }
        }
        tail = plan.steps().stream().filter(PlanStep.Tail.class::isInstance).map(PlanStep.Tail.class::cast)
                .findFirst().orElseThrow();
        Configuration hadoop = new Configuration();
        for (int i = 0; i + 1 < spec.hadoopConf().length; i += 2) {
            hadoop.set(spec.hadoopConf()[i], spec.hadoopConf()[i + 1]);
        }
        HadoopFiles files = new HadoopFiles(hadoop);
        Dataset dataset = new Dataset(Arrays.stream(spec.images()).map(Path::new).toList(), spec.classes(),
                List.of(spec.names()));
        BatchSchedule schedule = BatchSchedule.training(dataset, Augmentation.of(cfg, spec.width(), spec.height()),
                spec.seed(), spec.batch());
        crop = new TileCrop(files, schedule);
        truth = new BatchTruth(files, schedule);
        groupSlices = new Slice[plan.groups().size()];
        for (FusedGroup g : plan.groups()) {
            groupSlices[g.index()] = slice(g.firstBlock(), g.lastBlock());
        }
        tailSlice = slice(tail.firstBlock(), tail.lastBlock());
        List<BatchNorm> norms = net.batchNorms();
        for (int i = 0; i < norms.size(); i++) {
            batchNormIndex.put(norms.get(i), i);
        }
    }

    public static RunModel of(RunSpec spec) {
        return new RunModel(spec);
    }

    public RunSpec spec() {
        return spec;
    }

    public Model model() {
        return model;
    }

    public TrainingPlan plan() {
        return plan;
    }

    public TileSteps steps() {
        return steps;
    }

    /** A state of this JVM's plan as a cached-RDD element. */
    public TileBlock block(TileState s) {
        return TileBlock.of(s, plan);
    }

    /** Tile {@code tile} of group 0 at the start of pass {@code pass}: its crop of the batch, read here. */
    public TileState start(int tile, long pass, long passSeed) {
        return steps.start(0, tile, crop.crop(pass, plan.group(0).input(tile)), true, passSeed);
    }

    /** A tile's part of the pass: its group's gradient slice, and (tile 0) the statistics its group synced. */
    public PassSum tilePart(TileState s) {
        Slice slice = groupSlices[s.group()];
        Map<BatchNorm, BatchNorm.Stats> synced = s.tile() == 0 ? s.pass().statistics() : Map.of();
        int[] of = new int[synced.size()];
        BatchNorm.Stats[] st = new BatchNorm.Stats[of.length];
        int i = 0;
        for (Map.Entry<BatchNorm, BatchNorm.Stats> e : synced.entrySet()) {
            of[i] = batchNormIndex.get(e.getKey());
            st[i++] = e.getValue();
        }
        return PassSum.part(slice.offset(), slice.values(s.pass().gradients()::get), 0, of, st);
    }

    /**
     * The tail of pass {@code pass}: the last group's owned outputs assembled into the whole map, forward,
     * loss against the pass's truth, backward (as the in-process runner does).
     */
    public TailResult tail(Iterator<Tensor> owned, long pass, long seen, long passSeed) {
        FusedGroup last = plan.group(plan.groups().size() - 1);
        Shape map = last.outputShape();
        Tensor gathered = Tensor.zeros(spec.batch(), map.c(), map.full());
        long covered = 0;
        while (owned.hasNext()) {
            Tensor t = owned.next();
            gathered.copyOverlap(t);
            covered += t.rect.area();
        }
        if (covered != map.full().area()) {
            throw new IllegalStateException("the tail got " + covered + " of " + map.full().area() + " positions of "
                    + last + "'s output");
        }
        Network net = model.network();
        WholeMapPass tailPass = new WholeMapPass(true, passSeed, seen);
        Trace trace = net.forward(tail.firstBlock(), tail.lastBlock(), gathered, tailPass);
        Backprop.Seeded s = Backprop.backward(net, trace, new OutputSeed.Loss(truth.truth(pass)), tailPass);
        Map<BatchNorm, BatchNorm.Stats> stats = tailPass.statistics();
        int[] of = new int[stats.size()];
        BatchNorm.Stats[] st = new BatchNorm.Stats[of.length];
        int i = 0;
        for (Map.Entry<BatchNorm, BatchNorm.Stats> e : stats.entrySet()) {
            of[i] = batchNormIndex.get(e.getKey());
            st[i++] = e.getValue();
        }
        return new TailResult(s.cost(), s.inputGradient(), tailSlice.offset(), tailSlice.values(tailPass::gradOrNull), of,
                st);
    }

    /** The layout range of the parameters of blocks {@code first..last}, which the layout keeps together. */
    private Slice slice(int first, int last) {
        ParamLayout layout = model.layout();
        Map<Param, ParamLayout.Range> ranges = new IdentityHashMap<>();
        for (int i = 0; i < layout.params().size(); i++) {
            ranges.put(layout.params().get(i), layout.ranges().get(i));
        }
        List<Param> params = new ArrayList<>();
        for (int b = first; b <= last; b++) {
            for (Layer l : model.network().block(b).layers()) {
                params.addAll(l.params());
            }
        }
        if (params.isEmpty()) {
            return new Slice(0, 0, List.of(), new int[0]);
        }
        int start = Integer.MAX_VALUE, end = 0, size = 0;
        for (Param p : params) {
            ParamLayout.Range r = ranges.get(p);
            start = Math.min(start, r.offset());
            end = Math.max(end, r.offset() + r.length());
            size += r.length();
        }
        if (end - start != size) {
            throw new IllegalStateException("the parameters of blocks " + first + "-" + last
                    + " are not contiguous in the layout");
        }
        int[] at = new int[params.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = ranges.get(params.get(i)).offset() - start;
        }
        return new Slice(start, size, params, at);
    }

    /** Where some parameters' gradients go: {@code [offset, offset + length)} of the layout. */
    private record Slice(int offset, int length, List<Param> params, int[] at) {
        /** The parameters' gradients in layout order; a parameter no backward reached is zero. */
        float[] values(Function<Param, float[]> gradients) {
            float[] out = new float[length];
            for (int i = 0; i < at.length; i++) {
                float[] g = gradients.apply(params.get(i));
                if (g != null) {
                    System.arraycopy(g, 0, out, at[i], g.length);
                }
            }
            return out;
        }
    }
}
