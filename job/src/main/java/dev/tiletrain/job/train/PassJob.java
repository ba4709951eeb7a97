package dev.tiletrain.job.train;

import dev.tiletrain.job.rdd.PassSum;
import dev.tiletrain.job.rdd.StageName;
import dev.tiletrain.job.rdd.TileBlock;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.optim.ImagesSeen;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.tiles.PlanStep;
import dev.tiletrain.tiles.TileSteps;
import dev.tiletrain.tiles.TrainingPlan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * One training pass of a {@link TrainingPlan} as two Spark jobs, walking the plan's steps in the order the
 * in-process runner walks them, with the same {@code TileSteps}: the forward job runs the tiles up to the
 * last group's owned outputs, which it returns to the driver; the driver runs the untiled tail; the backward
 * job starts the tiles' backward from the tail's input gradient, runs them back and sums every tile's gradient in one
 * {@code treeAggregate}. Tile states are cached RDD partitions (partition i = tile i), released after the
 * pass.
 */
final class PassJob {
    private final JavaSparkContext sc;
    private final TrainingPlan plan;
    private final Model model;
    private final RunSpec spec;
    private final UntiledTail tail;
    private final TrainAccumulators accumulators;
    private final int aggregateDepth;
    private final StageLabels labels;
    private final ImagesSeen seen;

    PassJob(JavaSparkContext sc, TrainSetup setup, TrainAccumulators accumulators, int aggregateDepth) {
        this.sc = sc;
        this.plan = setup.plan();
        this.model = setup.model();
        this.spec = setup.spec();
        this.tail = new UntiledTail(plan, setup.truth());
        this.accumulators = accumulators;
        this.aggregateDepth = aggregateDepth;
        this.labels = StageLabels.of(plan);
        this.seen = new ImagesSeen(setup.seen(), setup.batch());
    }

    /**
     * What a pass gives the driver: the cost, the gradient of every parameter in the model's layout, and the
     * batch statistics each batch norm used, for the rolling update.
     */
    record Result(double cost, float[] gradient, Map<BatchNorm, BatchNorm.Stats> statistics, double tailSeconds) {}

    /**
     * Pass {@code pass} (0-based over the run: iteration × subdivisions + subdivision); its tail waits for its
     * {@code turn} ({@link PassOverlap}).
     */
    Result run(long pass, PrefixBroadcast prefix, PassOverlap.Turn turn) {
        long passSeed = spec.passSeed(pass);
        long seen = this.seen.duringPass(pass, spec.imagesPerPass());
        int last = plan.groups().size() - 1;
        TileRdds rdds = new TileRdds(sc, prefix, accumulators, plan.group(0).tiles());
        List<JavaRDD<TileBlock>> states = new ArrayList<>(Collections.nCopies(plan.groups().size(), null));
        List<JavaRDD<?>> cached = new ArrayList<>();
        List<Broadcast<Tensor>> deltas = new ArrayList<>();
        UntiledTail.Result tailResult = null;
        double tailSeconds = 0;
        try {
            List<PlanStep> steps = plan.steps();
            for (int i = 0; i < steps.size(); i++) {
                PlanStep step = steps.get(i);
                if (step instanceof PlanStep.ReadInput) {
                    states.set(0, rdds.readInput(pass, passSeed));
                } else if (step instanceof PlanStep.Forward f) {
                    states.set(f.group(), rdds.each(states.get(f.group()), (x, s) -> x.steps().forward(s, f)));
                } else if (step instanceof PlanStep.SyncForward sf) {
                    JavaRDD<TileBlock> s0 = keep(states.get(sf.group()), sf.group(), cached);
                    states.set(sf.group(), named(i, () -> rdds.sync(s0, (x, s) -> x.steps().moments(s, sf.layer()),
                            (x, s, all) -> x.steps().withStatistics(s, sf.layer(), TileSteps.statistics(all)))));
                } else if (step instanceof PlanStep.GatherHalo h) {
                    JavaRDD<TileBlock> owners = keep(states.get(h.boundary()), h.boundary(), cached);
                    states.set(h.boundary() + 1, rdds.gather(owners,
                            named(i, () -> rdds.leaving(owners, h.boundary(), true)), h.boundary(), passSeed));
                } else if (step instanceof PlanStep.Tail) {
                    JavaRDD<TileBlock> owners = keep(states.get(last), last, cached);
                    List<Tensor> owned = named(i, () -> rdds.ownedOutputs(owners).collect());
                    turn.beforeTail();
                    long begin = System.nanoTime();
                    tailResult = tail.run(owned, pass, seen, passSeed);
                    tailSeconds = (System.nanoTime() - begin) / 1e9;
                    turn.afterTail();
                    tailResult.deltas().forEach(d -> deltas.add(sc.broadcast(d)));
                    states.set(last, rdds.startBackward(owners, deltas));
                } else if (step instanceof PlanStep.Backward b) {
                    states.set(b.group(), rdds.each(states.get(b.group()), (x, s) -> x.steps().backward(s, b)));
                } else if (step instanceof PlanStep.SyncBackward sb) {
                    JavaRDD<TileBlock> s0 = keep(states.get(sb.group()), sb.group(), cached);
                    states.set(sb.group(), named(i, () -> rdds.sync(s0, (x, s) -> x.steps().localSums(s, sb.layer()),
                            (x, s, all) -> x.steps().withBackwardSums(s, sb.layer(), TileSteps.backwardSums(all)))));
                } else if (step instanceof PlanStep.AddHalo a) {
                    JavaRDD<TileBlock> readers = keep(states.get(a.boundary() + 1), a.boundary() + 1, cached);
                    states.set(a.boundary(), rdds.addHalo(states.get(a.boundary()), readers,
                            named(i, () -> rdds.leaving(readers, a.boundary(), false)), a.boundary()));
                } else if (step instanceof PlanStep.ReduceGradients) {
                    PassSum sum = named(i, () -> rdds.parts(states).treeAggregate(new PassSum(), PassSum::merge,
                            PassSum::merge, aggregateDepth));
                    return result(tailResult, sum, tailSeconds);
                }
            }
            throw new IllegalStateException("the plan has no gradient reduction step");
        } finally {
            // The next pass's states must not compete with this one's for executor memory, but a blocking
            // unpersist is a round trip to every executor: 26 of them cost 1.3-1.7 s between passes on the
            // test bed (YOLOv2 layers 0-15). The removals go out together; waiting for the last, which each
            // executor's storage endpoint takes after the others, waits for about all of them.
            for (int r = 0; r < cached.size(); r++) {
                cached.get(r).unpersist(r == cached.size() - 1);
            }
            for (Broadcast<Tensor> d : deltas) {
                d.destroy();
            }
        }
    }

    /** The tail's and the tiles' parts of the pass in the model's terms. */
    private Result result(UntiledTail.Result tailResult, PassSum tiles, double tailSeconds) {
        float[] gradient = model.layout().flatten(p -> tailResult.gradients().get(p));
        float[] tiled = tiles.gradient();
        System.arraycopy(tiled, 0, gradient, 0, tiled.length);
        Map<BatchNorm, BatchNorm.Stats> statistics = new IdentityHashMap<>(tailResult.statistics());
        List<BatchNorm> norms = model.network().batchNorms();
        for (int k = 0; k < norms.size(); k++) {
            BatchNorm.Stats st = tiles.statistics(k);
            if (st != null && statistics.put(norms.get(k), st) != null) {
                throw new IllegalStateException("batch norm " + k + " has statistics from both the tiles and the tail");
            }
        }
        return new Result(tailResult.cost(), gradient, statistics, tailSeconds);
    }

    /** Caches a state that two consumers read (the exchange that ends its stage, and the step after it). */
    private static JavaRDD<TileBlock> keep(JavaRDD<TileBlock> rdd, int group, List<JavaRDD<?>> cached) {
        if (rdd.getStorageLevel().equals(StorageLevel.NONE())) {
            rdd.setName("g" + group + " tile states").persist(StorageLevel.MEMORY_ONLY());
            cached.add(rdd);
        }
        return rdd;
    }

    /** Builds an exchange (or runs an action) under the name of the stage that plan step {@code step} ends. */
    private <T> T named(int step, Supplier<T> work) {
        return StageName.within(sc, labels.ending(step), work);
    }
}
