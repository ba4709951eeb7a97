package dev.tiletrain.job;

import com.esotericsoftware.kryo.Kryo;
import dev.tiletrain.job.rdd.PassSum;
import dev.tiletrain.job.rdd.RecordSerializer;
import dev.tiletrain.job.rdd.TensorSerializer;
import dev.tiletrain.job.rdd.TileBlock;
import dev.tiletrain.job.rdd.TileBlockSerializer;
import dev.tiletrain.job.train.RunSpec;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.tiles.HaloPiece;
import dev.tiletrain.tiles.HaloStrip;
import dev.tiletrain.tiles.TileSum;
import java.util.List;
import java.util.Map;
import org.apache.spark.serializer.KryoRegistrator;
import org.apache.spark.serializer.KryoSerializer;

/**
 * Registers every class tiletrain ships between driver and executors (records, shuffle values,
 * treeAggregate values). The job runs with {@code spark.kryo.registrationRequired=true}, so a class missing
 * here fails at once with "Class is not registered" instead of silently writing its name into every record.
 */
public final class KryoClasses implements KryoRegistrator {
    /** Extend this list with each new shipped class; its array class is registered with it. */
    static final List<Class<?>> SHIPPED = List.of(
            float[].class,
            TileSum.class,
            PassSum.class,
            Rect.class,
            HaloStrip.class,
            HaloPiece.class,
            BatchNorm.Mode.class,
            BatchNorm.Backward.class,
            BatchNorm.Moments.class,
            BatchNorm.Stats.class,
            BatchNorm.BackwardSums.class,
            RunSpec.class);

    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(Tensor.class, new TensorSerializer());
        kryo.register(Tensor[].class);
        kryo.register(TileBlock.class, new TileBlockSerializer());
        kryo.register(TileBlock[].class);
        SHIPPED.forEach(c -> register(kryo, c));
    }

    /**
     * Registers a class and its array class (a collected partition travels as an array); a record gets
     * {@link RecordSerializer}, since Kryo 4's default cannot handle records.
     */
    @SuppressWarnings({"unchecked", "rawtypes"}) // The cast is checked by isRecord().
    public static void register(Kryo kryo, Class<?> type) {
        if (type.isRecord()) {
            kryo.register(type, new RecordSerializer(type.asSubclass(Record.class)));
        } else {
            kryo.register(type);
        }
        kryo.register(type.arrayType());
    }

    /** The Spark settings that make Kryo the serializer with this registrator and registration required. */
    public static Map<String, String> sparkConf() {
        return Map.of(
                "spark.serializer", KryoSerializer.class.getName(),
                "spark.kryo.registrationRequired", "true",
                "spark.kryo.registrator", KryoClasses.class.getName());
    }
}
