package dev.tiletrain.job.cluster;

import com.esotericsoftware.kryo.Kryo;
import dev.tiletrain.job.KryoClasses;
import dev.tiletrain.job.rdd.StageName;
import dev.tiletrain.job.rdd.TilePartitioner;
import dev.tiletrain.tiles.TileSum;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.serializer.KryoRegistrator;
import scala.Tuple2;

/**
 * A small job in the shapes the training job uses, run on the real executors: an all-to-all shuffle of
 * float strips keyed by destination tile through {@link TilePartitioner}, and a {@code treeAggregate} of
 * gradient vectors into a {@link TileSum}. Each runs as one job of group
 * {@code iter-<n>} with its stages named.
 */
final class ProbeJob {
    static final String HALO_STAGE = "probe halo 2x2";
    static final String REDUCE_STAGE = "probe grad reduce";

    private ProbeJob() {}

    /** A strip as tile {@code from} would send it to tile {@code to}: its values say where it came from. */
    static float[] strip(int from, int to) {
        return new float[] {from, to, from * 10 + to};
    }

    /** A strip as its reducer found it: the reducer's partition, the record's key, the strip, the executor. */
    record Landed(int partition, int key, float[] strip, String executor) {}

    /** The probe's own shipped class, registered next to {@link KryoClasses}' list. */
    public static final class Registrator implements KryoRegistrator {
        @Override
        public void registerClasses(Kryo kryo) {
            KryoClasses.register(kryo, Landed.class);
        }
    }

    /** {@code spark.kryo.registrator}: the job's registrator and the probe's. */
    static String registrators() {
        return KryoClasses.class.getName() + "," + Registrator.class.getName();
    }

    static List<Landed> haloShuffle(JavaSparkContext sc, int tiles) {
        sc.setJobGroup("iter-0", "probe: halo shuffle", false);
        return StageName.within(sc, HALO_STAGE, () -> sc
                .parallelize(IntStream.range(0, tiles).boxed().toList(), tiles)
                .flatMapToPair(from -> IntStream.range(0, tiles).filter(to -> to != from)
                        .mapToObj(to -> new Tuple2<>(to, strip(from, to))).iterator())
                .partitionBy(new TilePartitioner(tiles))
                .mapPartitionsWithIndex((partition, records) -> {
                    List<Landed> out = new ArrayList<>();
                    String executor = SparkEnv.get().executorId();
                    records.forEachRemaining(r -> out.add(new Landed(partition, r._1(), r._2(), executor)));
                    return out.iterator();
                }, true)
                .collect());
    }

    /** Sums vectors {@code v_i[j] = i + j} for i in 0..n-1 over {@code partitions} partitions. */
    static TileSum treeReduce(JavaSparkContext sc, int n, int dim, int partitions, int depth) {
        sc.setJobGroup("iter-1", "probe: gradient reduce", false);
        return StageName.within(sc, REDUCE_STAGE, () -> sc
                .parallelize(IntStream.range(0, n).boxed().toList(), partitions)
                .map(i -> TileSum.of(i, n, vector(i, dim)))
                .treeAggregate(new TileSum(), TileSum::merge, TileSum::merge, depth));
    }

    static float[] vector(int i, int dim) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = i + j;
        }
        return v;
    }
}
