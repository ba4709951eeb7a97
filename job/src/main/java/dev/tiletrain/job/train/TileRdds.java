package dev.tiletrain.job.train;

import dev.tiletrain.job.rdd.PassSum;
import dev.tiletrain.job.rdd.TileBlock;
import dev.tiletrain.job.rdd.TilePartitioner;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.tiles.HaloPiece;
import dev.tiletrain.tiles.TileState;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

/**
 * The RDDs of a pass, one builder per kind of plan step. Partition {@code i} of every tile-state RDD holds
 * tile {@code i}'s state (all groups share one grid), so a tile step is a narrow map in the same task as the
 * step before it, and what tiles exchange travels in shuffles keyed by the receiving tile. The work of a
 * builder is a function of this JVM's {@link TiledPrefix} and the tile's state; the three ways of running
 * such work over RDDs ({@link #map}, {@link #zip}, {@link #send}) are where a task finds its prefix.
 */
final class TileRdds {
    private final JavaSparkContext sc;
    private final PrefixBroadcast prefix;
    private final TrainAccumulators accumulators;
    private final int tiles;

    TileRdds(JavaSparkContext sc, PrefixBroadcast prefix, TrainAccumulators accumulators, int tiles) {
        this.sc = sc;
        this.prefix = prefix;
        this.accumulators = accumulators;
        this.tiles = tiles;
    }

    /** Work on one tile's state. */
    interface TileWork<R> extends Serializable {
        R apply(TiledPrefix prefix, TileState state) throws Exception;
    }

    /** A tile's state after a sync, from the values all tiles sent, in tile order. */
    interface TileSync<T> extends Serializable {
        TileState apply(TiledPrefix prefix, TileState state, List<T> inTileOrder) throws Exception;
    }

    /** Work on one tile's state and what arrived for it. */
    interface TileMeeting<U, R> extends Serializable {
        R apply(TiledPrefix prefix, TileState state, Iterator<U> arrived) throws Exception;
    }

    /** Group 0's tiles, each holding its crop of pass {@code pass}'s batch, read in its own task. */
    JavaRDD<TileBlock> readInput(long pass, long passSeed) {
        PrefixBroadcast p = prefix;
        return sc.parallelize(IntStream.range(0, tiles).boxed().toList(), tiles).map(t -> {
            TiledPrefix x = p.prefix();
            return x.block(x.start(t, pass, passSeed));
        });
    }

    /** Each tile's next state: a narrow map. */
    JavaRDD<TileBlock> each(JavaRDD<TileBlock> states, TileWork<TileState> step) {
        return map(states, (x, s) -> x.block(step.apply(x, s)));
    }

    /**
     * A batch-norm sync: each tile's {@code local} value goes to every tile (an all-gather shuffle of small
     * records, ending the stage); each tile takes them in tile order and continues from its state with
     * {@code apply}, starting the next stage.
     */
    <T> JavaRDD<TileBlock> sync(JavaRDD<TileBlock> states, TileWork<T> local, TileSync<T> apply) {
        int n = tiles;
        JavaPairRDD<Integer, Tuple2<Integer, T>> all = send(states, (x, s) -> {
            T value = local.apply(x, s);
            List<Tuple2<Integer, Tuple2<Integer, T>>> out = new ArrayList<>(n);
            for (int to = 0; to < n; to++) {
                out.add(new Tuple2<>(to, new Tuple2<>(s.tile(), value)));
            }
            return out;
        });
        LongAccumulator syncs = accumulators.syncs();
        return zip(states, all.values(), (x, s, arrived) -> {
            if (s.tile() == 0) {
                syncs.add(1);
            }
            return x.block(apply.apply(x, s, inTileOrder(arrived, n)));
        });
    }

    /**
     * The halo pieces that leave their tile, keyed by the tile that takes them (a tile's own piece stays in
     * its task): going forward the strips of each owner that other tiles read, going back the partial
     * deltas each reader returns to other owners.
     */
    JavaRDD<HaloPiece> leaving(JavaRDD<TileBlock> states, int boundary, boolean forward) {
        LongAccumulator bytes = forward ? accumulators.haloForward() : accumulators.haloBackward();
        return send(states, (x, s) -> {
            List<Tuple2<Integer, HaloPiece>> out = new ArrayList<>();
            for (HaloPiece piece : pieces(x, s, boundary, forward, false)) {
                bytes.add(4L * piece.values().data.length);
                out.add(new Tuple2<>(forward ? piece.strip().to() : piece.strip().from(), piece));
            }
            return out;
        }).values();
    }

    /** Group {@code boundary + 1}'s tiles, each assembling its input from the strips sent to it and its own. */
    JavaRDD<TileBlock> gather(JavaRDD<TileBlock> owners, JavaRDD<HaloPiece> sent, int boundary, long passSeed) {
        return zip(owners, sent, (x, s, arrived) -> {
            List<HaloPiece> mine = pieces(x, s, boundary, true, true);
            arrived.forEachRemaining(mine::add);
            return x.block(x.steps().gather(boundary, s.tile(), mine, true, passSeed));
        });
    }

    /**
     * Group {@code boundary}'s tiles, their backward started from the delta of what they own: the pieces the readers in
     * {@code later} (group {@code boundary + 1}) sent back, and each reader's piece that stayed with it.
     */
    JavaRDD<TileBlock> addHalo(JavaRDD<TileBlock> owners, JavaRDD<TileBlock> later, JavaRDD<HaloPiece> sent,
            int boundary) {
        JavaRDD<List<HaloPiece>> pieces = zip(later, sent, (x, s, arrived) -> {
            List<HaloPiece> mine = pieces(x, s, boundary, false, true);
            arrived.forEachRemaining(mine::add);
            return mine;
        });
        return zip(owners, pieces, (x, s, arrived) -> x.block(x.steps().addHalo(s, boundary, only(arrived, "pieces"))));
    }

    /** What the tail reads from each tile of the last group: its owned output. */
    JavaRDD<Tensor> ownedOutputs(JavaRDD<TileBlock> last) {
        return map(last, TiledPrefix::ownedOutput);
    }

    /**
     * The last group's tiles, their backward started from their part of the tail's input gradient, one broadcast per tile
     * ({@code deltas.get(t)}), so that each executor fetches only its tiles' parts. (A parallelized list would
     * put tile t's part into partition t, and every later stage's task would carry it again: Spark builds a
     * narrow child's partition from its parent's.)
     */
    JavaRDD<TileBlock> startBackward(JavaRDD<TileBlock> last, List<Broadcast<Tensor>> deltas) {
        return each(last, (x, s) -> x.steps().startBackward(s, deltas.get(s.tile()).value()));
    }

    /** Each tile's part of the pass, from its last state in every group (narrow zips: one task per tile). */
    JavaRDD<PassSum> parts(List<JavaRDD<TileBlock>> lastStates) {
        PrefixBroadcast p = prefix;
        JavaRDD<TileBlock[]> byTile = lastStates.get(0).map(b -> new TileBlock[] {b});
        for (JavaRDD<TileBlock> group : lastStates.subList(1, lastStates.size())) {
            byTile = byTile.zipPartitions(group, (earlier, blocks) -> {
                TileBlock[] a = only(earlier, "states");
                TileBlock[] more = Arrays.copyOf(a, a.length + 1);
                more[a.length] = only(blocks, "state");
                return List.<TileBlock[]>of(more).iterator();
            });
        }
        return byTile.map(blocks -> {
            TiledPrefix x = p.prefix();
            return x.part(Arrays.stream(blocks).map(b -> b.state(x.plan())).toList());
        });
    }

    /** {@code work} on each tile's state. */
    private <R> JavaRDD<R> map(JavaRDD<TileBlock> states, TileWork<R> work) {
        PrefixBroadcast p = prefix;
        return states.map(b -> {
            TiledPrefix x = p.prefix();
            return work.apply(x, b.state(x.plan()));
        });
    }

    /** {@code work} on each tile's state and what {@code arrived} holds in the same partition. */
    private <U, R> JavaRDD<R> zip(JavaRDD<TileBlock> states, JavaRDD<U> arrived, TileMeeting<U, R> work) {
        PrefixBroadcast p = prefix;
        return states.zipPartitions(arrived, (blocks, in) -> {
            TiledPrefix x = p.prefix();
            TileState s = only(blocks, "tile state").state(x.plan());
            if (s.tile() != TaskContext.getPartitionId()) {
                throw new IllegalStateException("partition " + TaskContext.getPartitionId() + " holds tile " + s.tile());
            }
            return List.of(work.apply(x, s, in)).iterator();
        });
    }

    /** What each tile sends, keyed by the receiving tile: a shuffle to partition = receiver. */
    private <V> JavaPairRDD<Integer, V> send(JavaRDD<TileBlock> states, TileWork<List<Tuple2<Integer, V>>> work) {
        PrefixBroadcast p = prefix;
        return states.flatMapToPair(b -> {
            TiledPrefix x = p.prefix();
            return work.apply(x, b.state(x.plan())).iterator();
        }).partitionBy(new TilePartitioner(tiles));
    }

    /** A tile's halo pieces (forward: as owner, back: as reader) that stay on it, or those that leave it. */
    private static List<HaloPiece> pieces(TiledPrefix x, TileState s, int boundary, boolean forward, boolean staying) {
        List<HaloPiece> kept = new ArrayList<>();
        for (HaloPiece piece : forward ? x.steps().haloOut(s, boundary) : x.steps().haloBack(s, boundary)) {
            if (piece.strip().local() == staying) {
                kept.add(piece);
            }
        }
        return kept;
    }

    /** The values every tile sent, in tile order; each tile exactly once. */
    private static <T> List<T> inTileOrder(Iterator<Tuple2<Integer, T>> received, int tiles) {
        List<Tuple2<Integer, T>> got = new ArrayList<>();
        received.forEachRemaining(got::add);
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

    private static <T> T only(Iterator<T> values, String what) {
        if (!values.hasNext()) {
            throw new IllegalStateException("partition " + TaskContext.getPartitionId() + " holds no " + what);
        }
        T value = values.next();
        if (values.hasNext()) {
            throw new IllegalStateException("partition " + TaskContext.getPartitionId() + " holds more than one " + what);
        }
        return value;
    }
}
