package dev.tiletrain.job.rdd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.job.KryoClasses;
import dev.tiletrain.job.cluster.LoopbackClusterExtension;
import dev.tiletrain.job.train.RunSpec;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.tiles.FusedGroup;
import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import dev.tiletrain.tiles.HaloPiece;
import dev.tiletrain.tiles.HaloStrip;
import dev.tiletrain.tiles.TilePass;
import dev.tiletrain.tiles.TileState;
import dev.tiletrain.tiles.TrainingPlan;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/** What the training job ships, through Spark's Kryo as the job configures it (registration required). */
class ShippedClassesTest {
    private static final SerializerInstance KRYO = kryo();

    private static SerializerInstance kryo() {
        SparkConf conf = new SparkConf(false);
        KryoClasses.sparkConf().forEach(conf::set);
        return new KryoSerializer(conf).newInstance();
    }

    /** Through Spark's stream API, which writes each object with its class as the shuffle and cache do. */
    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) {
        ClassTag<Object> tag = (ClassTag<Object>) ClassTag$.MODULE$.apply(Object.class);
        ByteBuffer bytes = KRYO.serialize(value, tag);
        return (T) KRYO.deserialize(bytes, tag);
    }

    private static Tensor random(Random r, int n, int c, Rect rect) {
        Tensor t = Tensor.zeros(n, c, rect);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = r.nextFloat() - .5f;
        }
        return t;
    }

    @Test
    void haloPiecesAndSyncRecordsTravelAsShuffled() {
        Random r = new Random(1);
        HaloPiece piece = new HaloPiece(new HaloStrip(1, 2, new Rect(3, 0, 5, 2), 4, false),
                random(r, 2, 4, new Rect(3, 0, 5, 2)));
        Tuple2<Integer, HaloPiece> back = roundTrip(new Tuple2<>(2, piece));
        assertEquals(2, back._1());
        assertEquals(piece, back._2());
        BatchNorm.Moments m = new BatchNorm.Moments(18, new double[] {1, 2}, new double[] {3, 4});
        Tuple2<Integer, Tuple2<Integer, BatchNorm.Moments>> moments = roundTrip(new Tuple2<>(0, new Tuple2<>(3, m)));
        assertEquals(3, moments._2()._1());
        assertEquals(18, moments._2()._2().count());
        assertArrayEquals(m.sumSquares(), moments._2()._2().sumSquares());
        BatchNorm.BackwardSums sums = roundTrip(new BatchNorm.BackwardSums(new double[] {5}, new double[] {6}));
        assertArrayEquals(new double[] {6}, sums.sumDyXhat());
        Tensor t = roundTrip(random(r, 1, 3, new Rect(2, 2, 2, 4)));
        assertEquals(new Rect(2, 2, 2, 4), t.rect);
    }

    @Test
    void passSumsMergeAfterTheTrip() {
        BatchNorm.Stats st = new BatchNorm.Stats(new float[] {1}, new float[] {2}, 9);
        PassSum tile0 = roundTrip(PassSum.part(0, 2, new float[] {1, 2}, new int[] {4}, new BatchNorm.Stats[] {st}));
        PassSum tile1 = roundTrip(PassSum.part(1, 2, new float[] {3, 5}, new int[0], new BatchNorm.Stats[0]));
        PassSum total = roundTrip(roundTrip(new PassSum()).merge(tile1).merge(tile0));
        assertArrayEquals(new float[] {4, 7}, total.gradient());
        assertArrayEquals(new float[] {2}, total.statistics(4).variance());
        assertEquals(null, total.statistics(0));
        assertThrows(IllegalStateException.class, () -> new PassSum().merge(
                PassSum.part(0, 1, new float[1], new int[] {4}, new BatchNorm.Stats[] {st})).merge(
                PassSum.part(0, 1, new float[1], new int[] {4}, new BatchNorm.Stats[] {st})), "statistics twice");
        RunSpec spec = roundTrip(new RunSpec("a.cfg", "[net]", 64, 32, BatchNorm.Mode.SYNC, BatchNorm.Backward.DARKNET,
                "0-3", "2x2", new String[] {"x.jpg"}, 2, new String[] {"a", "b"}, 7, 2, 1, new String[] {"k", "v"}));
        assertEquals(BatchNorm.Mode.SYNC, spec.mode());
        assertEquals(BatchNorm.Backward.DARKNET, spec.backward());
        assertArrayEquals(new String[] {"k", "v"}, spec.hadoopConf());
    }

    /**
     * A cached tile state read by another executor: it leaves by index and is bound to the reader's own plan
     * (another instance of the same network), with its activations, delta, gradients, statistics and backward
     * sums, and what the tile owns.
     */
    @Test
    void aTileStateTravelsByIndexAndBindsToTheReadersPlan() throws Exception {
        TrainingPlan writer = plan(), reader = plan();
        FusedGroup g = writer.group(1);
        int tile = 3;
        Random r = new Random(2);
        TilePass pass = new TilePass(true, 11);
        pass.own(g, tile);
        BatchNorm bn = (BatchNorm) g.layer(1);
        BatchNorm.Stats stats = new BatchNorm.Stats(new float[] {.5f}, new float[] {2}, 4);
        pass.setStatistics(bn, stats);
        pass.setBackwardSums(bn, new BatchNorm.BackwardSums(new double[] {1}, new double[] {2}));
        Param weights = g.layer(0).params().get(0);
        float[] gradient = pass.grad(weights);
        gradient[3] = 4.5f;
        Rect in = g.input(tile);
        TileState state = new TileState(1, tile, pass, List.of(random(r, 2, 16, in), random(r, 2, 32, in)),
                random(r, 2, 32, g.ownedOutput(tile)));

        TileBlock local = TileBlock.of(state, writer);
        assertSame(state, local.state(writer), "in its own executor the block is the state");
        assertThrows(IllegalStateException.class, () -> local.state(reader));
        TileBlock arrived = roundTrip(local);
        assertEquals(tile, arrived.tile());
        TileState bound = arrived.state(reader);
        assertEquals(List.of(1, tile), List.of(bound.group(), bound.tile()));
        assertEquals(state.activations(), bound.activations());
        assertEquals(state.delta(), bound.delta());
        FusedGroup readerGroup = reader.group(1);
        BatchNorm readerBn = (BatchNorm) readerGroup.layer(1);
        assertArrayEquals(stats.variance(), bound.pass().statistics().get(readerBn).variance());
        assertArrayEquals(new double[] {2}, bound.pass().backwardSums().get(readerBn).sumDyXhat());
        float[] boundGradient = bound.pass().gradients().get(readerGroup.layer(0).params().get(0));
        assertArrayEquals(gradient, boundGradient);
        assertNotSame(gradient, boundGradient);
        assertEquals(1, bound.pass().gradients().size());
        for (int i = 0; i < readerGroup.layers().size(); i++) {
            assertEquals(g.owned(tile, i), bound.pass().owned(readerGroup.layer(i)));
        }
        assertEquals(bound.pass().seed(), 11);
        assertTrue(arrived.estimatedSize() >= 4L * (state.activations().get(0).data.length * 2 + state.delta().data.length));
    }

    private static TrainingPlan plan() throws Exception {
        var cfg = CfgParser.parse(LoopbackClusterExtension.moduleDir().resolve("../conf/tiny-test.cfg").normalize());
        return TrainingPlan.of(ModelBuilder.build(cfg, BatchNorm.Mode.SYNC, 1).network(), Grouping.parse("0-3,4-8"),
                Grid.parse("2x2"));
    }
}
