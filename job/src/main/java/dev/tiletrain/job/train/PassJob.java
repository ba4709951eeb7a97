package dev.tiletrain.job.train;

import dev.tiletrain.job.rdd.PassSum;
import dev.tiletrain.job.rdd.StageName;
import dev.tiletrain.job.rdd.TileBlock;
import dev.tiletrain.job.rdd.TilePartitioner;
import dev.tiletrain.ops.optim.ImagesSeen;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.tiles.FusedGroup;
import dev.tiletrain.tiles.HaloPiece;
import dev.tiletrain.tiles.PlanStep;
import dev.tiletrain.tiles.TileState;
import dev.tiletrain.tiles.TileSteps;
import dev.tiletrain.tiles.TrainingPlan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.Function3;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

/**
 * One training pass of a {@link TrainingPlan} as one Spark job: the plan's steps in the plan's order, as the
 * in-process runner walks them, with tile states in cached RDD partitions (partition i = tile i) and
 * everything tiles exchange in shuffles keyed by the receiving tile.
 *
 * <ul>
 *   <li>Tile steps are narrow maps over the previous state.
 *   <li>A batch-norm sync is an all-gather: every tile's moments (or backward sums) go to every tile, each
 *       reduces them in tile order and continues from its cached state (zipped, narrow).
 *   <li>A halo gather ships only the strips that leave their tile; a tile's own strip comes from its cached
 *       state in the same task. The halo add mirrors it going back.
 *   <li>The tail gathers the last group's owned outputs into one task and scatters its input gradient back.
 *   <li>Every tile's gradient slice and the tail's meet in one {@code treeAggregate}.
 * </ul>
 * Every state that a later stage reads is cached ({@code MEMORY_ONLY}) and released after the pass.
 */
final class PassJob {
    private final JavaSparkContext sc;
    private final TrainingPlan plan;
    private final TrainAccumulators accumulators;
    private final int aggregateDepth;
    private final ImagesSeen seen;

    PassJob(JavaSparkContext sc, TrainingPlan plan, TrainAccumulators accumulators, int aggregateDepth, ImagesSeen seen) {
        this.sc = sc;
        this.plan = plan;
        this.accumulators = accumulators;
        this.aggregateDepth = aggregateDepth;
        this.seen = seen;
    }

    /** The stage name of the gradient reduction, which also runs group 0's last backward steps. */
    static String reduceName(String lastBackward) {
        return lastBackward + ", grad reduce";
    }

    /**
     * Runs pass {@code pass} (0-based over the run: iteration × subdivisions + subdivision) with the weights of
     * {@code ref} and returns what the driver needs: summed gradients, cost and statistics.
     */
    PassSum run(long pass, ExecutorModel ref) {
        int batch = ref.spec().value().batch();
        long seen = this.seen.duringPass(pass, batch);
        long passSeed = ref.spec().value().seed() + pass;
        int groups = plan.groups().size();
        List<JavaRDD<?>> cached = new ArrayList<>();
        List<JavaRDD<TileBlock>> states = new ArrayList<>(Collections.nCopies(groups, null));
        StageLabel label = new StageLabel(plan);
        JavaRDD<TailResult> tail = null;
        try {
            for (PlanStep step : plan.steps()) {
                if (step instanceof PlanStep.ReadInput) {
                    label.start(false, true, 0);
                    states.set(0, named(label, () -> readInput(sc, ref, plan.group(0).tiles(), pass, passSeed)));
                } else if (step instanceof PlanStep.Forward f) {
                    label.layers(f.from(), f.to());
                    states.set(f.group(), named(label, () -> forward(states.get(f.group()), ref, f)));
                } else if (step instanceof PlanStep.SyncForward sf) {
                    int layer = sf.layer();
                    states.set(sf.group(), sync(states.get(sf.group()), label, true, cached, ref,
                            (m, st) -> m.steps().moments(st, layer),
                            (m, st, all) -> m.steps().withStatistics(st, layer, TileSteps.statistics(all))));
                } else if (step instanceof PlanStep.GatherHalo h) {
                    int b = h.boundary();
                    JavaRDD<TileBlock> from = keep(states.get(b), label, cached);
                    JavaPairRDD<Integer, HaloPiece> remote = named(label, () -> leaving(from, ref, b, true));
                    label.start(false, true, b + 1);
                    states.set(b + 1, named(label, () -> gather(from, remote, ref, b, passSeed)));
                } else if (step instanceof PlanStep.Tail t) {
                    int last = groups - 1;
                    JavaRDD<TileBlock> s = keep(states.get(last), label, cached);
                    JavaPairRDD<Integer, Tensor> owned = named(label, () -> toTail(s, ref));
                    Supplier<String> tailName = () -> "tail " + StageLabel.blocks(t.firstBlock(), t.lastBlock());
                    JavaRDD<TailResult> result = StageName.within(sc, tailName.get(),
                            () -> runTail(owned, ref, pass, seen, passSeed));
                    tail = keep(result, tailName.get(), cached);
                    JavaRDD<TailResult> tailRdd = tail;
                    JavaPairRDD<Integer, Tensor> deltas = StageName.within(sc, tailName.get(),
                            () -> scatter(tailRdd, ref, plan.group(last).tiles()));
                    label.start(false, false, last);
                    states.set(last, named(label, () -> seed(s, deltas, ref)));
                } else if (step instanceof PlanStep.Backward bw) {
                    label.layers(bw.from(), bw.to());
                    states.set(bw.group(), named(label, () -> backward(states.get(bw.group()), ref, bw)));
                } else if (step instanceof PlanStep.SyncBackward sb) {
                    int layer = sb.layer();
                    states.set(sb.group(), sync(states.get(sb.group()), label, false, cached, ref,
                            (m, st) -> m.steps().localSums(st, layer),
                            (m, st, all) -> m.steps().withBackwardSums(st, layer, TileSteps.backwardSums(all))));
                } else if (step instanceof PlanStep.AddHalo ah) {
                    int b = ah.boundary();
                    JavaRDD<TileBlock> later = keep(states.get(b + 1), label, cached);
                    JavaPairRDD<Integer, HaloPiece> remote = named(label, () -> leaving(later, ref, b, false));
                    label.start(false, false, b);
                    JavaRDD<TileBlock> owners = states.get(b);
                    states.set(b, named(label, () -> addHalo(owners, later, remote, ref, b, plan.group(b).tiles())));
                } else if (step instanceof PlanStep.ReduceGradients) {
                    JavaRDD<TailResult> tailRdd = tail;
                    return StageName.within(sc, reduceName(label.text()), () -> reduce(states, tailRdd, ref));
                }
            }
            throw new IllegalStateException("the plan has no gradient reduction step");
        } finally {
            // Blocking: the next pass's states must not compete with this one's for executor memory.
            for (JavaRDD<?> r : cached) {
                r.unpersist(true);
            }
        }
    }

    private <T> T named(StageLabel label, Supplier<T> work) {
        return StageName.within(sc, label.text(), work);
    }

    /** Caches a state that two consumers read (the exchange that ends its stage and the next stage's zip). */
    private static <T> JavaRDD<T> keep(JavaRDD<T> rdd, Object name, List<JavaRDD<?>> cached) {
        if (rdd.getStorageLevel().equals(StorageLevel.NONE())) {
            rdd.setName(name.toString()).persist(StorageLevel.MEMORY_ONLY());
            cached.add(rdd);
        }
        return rdd;
    }

    private PassSum reduce(List<JavaRDD<TileBlock>> states, JavaRDD<TailResult> tail, ExecutorModel ref) {
        List<JavaRDD<PassSum>> parts = new ArrayList<>();
        for (JavaRDD<TileBlock> s : states) {
            parts.add(s.map(b -> {
                RunModel m = ref.get();
                return m.tilePart(b.state(m.plan()));
            }));
        }
        parts.add(tail.map(r -> PassSum.part(r.offset(), r.gradient(), r.cost(), r.statisticsOf(), r.statistics())));
        @SuppressWarnings("unchecked")
        JavaRDD<PassSum>[] all = parts.toArray(new JavaRDD[0]);
        PassSum total = sc.union(all).treeAggregate(new PassSum(), PassSum::merge, PassSum::merge, aggregateDepth);
        long expected = 1 + plan.groups().stream().mapToLong(FusedGroup::tiles).sum();
        if (total.gradients().parts() != expected) {
            throw new IllegalStateException("the gradient reduction summed " + total.gradients().parts()
                    + " parts, expected " + expected + " (every tile of every group and the tail)");
        }
        return total;
    }

    // The RDD-building steps below are static so that their closures capture only what they name.

    private static JavaRDD<TileBlock> readInput(JavaSparkContext sc, ExecutorModel ref, int tiles, long pass,
            long passSeed) {
        return sc.parallelize(IntStream.range(0, tiles).boxed().toList(), tiles).map(t -> {
            RunModel m = ref.get();
            return m.block(m.start(t, pass, passSeed));
        });
    }

    private static JavaRDD<TileBlock> forward(JavaRDD<TileBlock> in, ExecutorModel ref, PlanStep.Forward f) {
        int group = f.group(), from = f.from(), to = f.to();
        return in.map(b -> {
            RunModel m = ref.get();
            return m.block(m.steps().forward(b.state(m.plan()), new PlanStep.Forward(group, from, to)));
        });
    }

    private static JavaRDD<TileBlock> backward(JavaRDD<TileBlock> in, ExecutorModel ref, PlanStep.Backward bw) {
        int group = bw.group(), from = bw.from(), to = bw.to();
        return in.map(b -> {
            RunModel m = ref.get();
            return m.block(m.steps().backward(b.state(m.plan()), new PlanStep.Backward(group, from, to)));
        });
    }

    /**
     * A batch-norm sync of {@code s}'s group: each tile's {@code local} value goes to every tile (an all-gather
     * shuffle of small records, ending the current stage); each tile takes them in tile order and continues
     * from its cached state with {@code apply}, starting the next stage ({@code sync fwd ...}).
     */
    private <T> JavaRDD<TileBlock> sync(JavaRDD<TileBlock> s, StageLabel label, boolean forward,
            List<JavaRDD<?>> cached, ExecutorModel ref, Function2<RunModel, TileState, T> local,
            Function3<RunModel, TileState, List<T>, TileState> apply) {
        keep(s, label, cached);
        int group = label.group(), tiles = plan.group(group).tiles();
        JavaPairRDD<Integer, Tuple2<Integer, T>> all = named(label, () -> s.flatMapToPair(b -> {
            RunModel m = ref.get();
            TileState st = b.state(m.plan());
            T value = local.call(m, st);
            List<Tuple2<Integer, Tuple2<Integer, T>>> out = new ArrayList<>(tiles);
            for (int to = 0; to < tiles; to++) {
                out.add(new Tuple2<>(to, new Tuple2<>(st.tile(), value)));
            }
            return out.iterator();
        }).partitionBy(new TilePartitioner(tiles)));
        label.start(true, forward, group);
        LongAccumulator syncs = accumulators.syncs();
        return named(label, () -> s.zipPartitions(all, (blocks, received) -> {
            RunModel m = ref.get();
            TileState st = only(blocks, m);
            if (st.tile() == 0) {
                syncs.add(1);
            }
            return one(m.block(apply.call(m, st, inTileOrder(received, tiles))));
        }));
    }

    /**
     * The halo pieces that leave their tile, keyed by the tile that takes them: going forward the strips of
     * each owner that other tiles read, going back the partial deltas each reader returns to other owners.
     */
    private JavaPairRDD<Integer, HaloPiece> leaving(JavaRDD<TileBlock> s, ExecutorModel ref, int boundary,
            boolean forward) {
        LongAccumulator bytes = forward ? accumulators.haloForward() : accumulators.haloBackward();
        return s.flatMapToPair(b -> {
            RunModel m = ref.get();
            List<Tuple2<Integer, HaloPiece>> out = new ArrayList<>();
            for (HaloPiece p : pieces(m, b.state(m.plan()), boundary, forward, false)) {
                bytes.add(4L * p.values().data.length);
                out.add(new Tuple2<>(forward ? p.strip().to() : p.strip().from(), p));
            }
            return out.iterator();
        });
    }

    /** A tile's halo pieces (forward: as owner, back: as reader) that stay on it, or those that leave it. */
    private static List<HaloPiece> pieces(RunModel m, TileState st, int boundary, boolean forward, boolean staying) {
        List<HaloPiece> kept = new ArrayList<>();
        for (HaloPiece p : forward ? m.steps().haloOut(st, boundary) : m.steps().haloBack(st, boundary)) {
            if (p.strip().local() == staying) {
                kept.add(p);
            }
        }
        return kept;
    }

    /**
     * Each tile of group {@code boundary + 1} assembles its input from the strips sent to it and its own strip,
     * cut from its cached state of group {@code boundary} in this task (all groups share one grid, so tile i
     * of both groups is partition i).
     */
    private static JavaRDD<TileBlock> gather(JavaRDD<TileBlock> own, JavaPairRDD<Integer, HaloPiece> remote,
            ExecutorModel ref, int boundary, long passSeed) {
        return own.zipPartitions(remote.partitionBy(new TilePartitioner(own.getNumPartitions())), (blocks, pieces) -> {
            RunModel m = ref.get();
            TileState st = only(blocks, m);
            List<HaloPiece> mine = pieces(m, st, boundary, true, true);
            pieces.forEachRemaining(p -> mine.add(p._2()));
            return one(m.block(m.steps().gather(boundary, st.tile(), mine, true, passSeed)));
        });
    }

    /** Each owner adds the deltas sent back to it and its own piece from the later group's tile of its index. */
    private static JavaRDD<TileBlock> addHalo(JavaRDD<TileBlock> owners, JavaRDD<TileBlock> later,
            JavaPairRDD<Integer, HaloPiece> remote, ExecutorModel ref, int boundary, int tiles) {
        JavaPairRDD<Integer, HaloPiece> received = remote.partitionBy(new TilePartitioner(tiles));
        JavaRDD<HaloPiece> pieces = later.zipPartitions(received, (blocks, in) -> {
            RunModel m = ref.get();
            List<HaloPiece> mine = pieces(m, only(blocks, m), boundary, false, true);
            in.forEachRemaining(p -> mine.add(p._2()));
            return mine.iterator();
        });
        return owners.zipPartitions(pieces, (blocks, in) -> {
            RunModel m = ref.get();
            List<HaloPiece> mine = new ArrayList<>();
            in.forEachRemaining(mine::add);
            return one(m.block(m.steps().addHalo(only(blocks, m), boundary, mine)));
        });
    }

    private static JavaPairRDD<Integer, Tensor> toTail(JavaRDD<TileBlock> last, ExecutorModel ref) {
        return last.mapToPair(b -> {
            RunModel m = ref.get();
            return new Tuple2<>(0, b.state(m.plan()).last());
        });
    }

    private JavaRDD<TailResult> runTail(JavaPairRDD<Integer, Tensor> owned, ExecutorModel ref, long pass, long seen,
            long passSeed) {
        TrainAccumulators acc = accumulators;
        return owned.partitionBy(new TilePartitioner(1)).mapPartitions(in -> {
            RunModel m = ref.get();
            List<Tensor> tensors = new ArrayList<>();
            in.forEachRemaining(t -> tensors.add(t._2()));
            TailResult r = m.tail(tensors.iterator(), pass, seen, passSeed);
            acc.loss().add(r.cost());
            acc.images().add(m.spec().batch());
            return one(r);
        });
    }

    private static JavaPairRDD<Integer, Tensor> scatter(JavaRDD<TailResult> tail, ExecutorModel ref, int tiles) {
        return tail.flatMapToPair(r -> {
            RunModel m = ref.get();
            FusedGroup last = m.plan().group(m.plan().groups().size() - 1);
            List<Tuple2<Integer, Tensor>> out = new ArrayList<>();
            for (int t = 0; t < last.tiles(); t++) {
                out.add(new Tuple2<>(t, r.delta().crop(last.ownedOutput(t))));
            }
            return out.iterator();
        }).partitionBy(new TilePartitioner(tiles));
    }

    private static JavaRDD<TileBlock> seed(JavaRDD<TileBlock> last, JavaPairRDD<Integer, Tensor> deltas,
            ExecutorModel ref) {
        return last.zipPartitions(deltas, (blocks, in) -> {
            RunModel m = ref.get();
            TileState st = only(blocks, m);
            if (!in.hasNext()) {
                throw new IllegalStateException("no delta from the tail for tile " + st.tile());
            }
            Tensor delta = in.next()._2();
            if (in.hasNext()) {
                throw new IllegalStateException("two deltas from the tail for tile " + st.tile());
            }
            return one(m.block(m.steps().seed(st, delta)));
        });
    }

    /** The values every tile sent, in tile order; each tile exactly once. */
    private static <T> List<T> inTileOrder(Iterator<Tuple2<Integer, Tuple2<Integer, T>>> received, int tiles) {
        List<Tuple2<Integer, T>> got = new ArrayList<>();
        received.forEachRemaining(r -> got.add(r._2()));
        got.sort(Comparator.comparingInt(Tuple2::_1));
        for (int t = 0; t < got.size(); t++) {
            if (got.get(t)._1() != t) {
                throw new IllegalStateException("a sync received tiles " + got.stream().map(Tuple2::_1).toList()
                        + ", expected each of 0.." + (tiles - 1) + " once");
            }
        }
        if (got.size() != tiles) {
            throw new IllegalStateException("a sync received " + got.size() + " of " + tiles + " tiles");
        }
        return got.stream().map(Tuple2::_2).toList();
    }

    /** The one state of this partition, which must be the partition's tile. */
    private static TileState only(Iterator<TileBlock> blocks, RunModel m) {
        if (!blocks.hasNext()) {
            throw new IllegalStateException("partition " + TaskContext.getPartitionId() + " holds no tile state");
        }
        TileState s = blocks.next().state(m.plan());
        if (blocks.hasNext() || s.tile() != TaskContext.getPartitionId()) {
            throw new IllegalStateException("partition " + TaskContext.getPartitionId() + " must hold exactly tile "
                    + TaskContext.getPartitionId() + "'s state, found tile " + s.tile() + (blocks.hasNext() ? " and more" : ""));
        }
        return s;
    }

    private static <T> Iterator<T> one(T value) {
        return List.of(value).iterator();
    }
}
