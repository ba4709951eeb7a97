package dev.tiletrain.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import dev.tiletrain.job.rdd.PassSum;
import dev.tiletrain.tiles.TileSum;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoRegistrator;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/** Spark's own KryoSerializer, configured as the job configures it, with registration required. */
class KryoClassesTest {
    /** A record as the job ships them: primitives, an array, a string, a nested record. */
    record Strip(int tile, long iteration, float scale, boolean last, float[] values, String name, Inner inner) {
        Strip {
            if (tile < 0) {
                throw new IllegalArgumentException("negative tile");
            }
        }
    }

    record Inner(double x) {}

    public static final class TestClasses implements KryoRegistrator {
        @Override
        public void registerClasses(Kryo kryo) {
            KryoClasses.register(kryo, Strip.class);
            KryoClasses.register(kryo, Inner.class);
        }
    }

    private static SerializerInstance kryo(String registrators) {
        SparkConf conf = new SparkConf(false);
        KryoClasses.sparkConf().forEach(conf::set);
        conf.set("spark.kryo.registrator", registrators);
        return new KryoSerializer(conf).newInstance();
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(SerializerInstance kryo, T value) {
        ClassTag<T> tag = (ClassTag<T>) ClassTag$.MODULE$.apply(value.getClass());
        ByteBuffer bytes = kryo.serialize(value, tag);
        return kryo.deserialize(bytes, tag);
    }

    @Test
    void everyShippedClassIsRegistered() {
        SerializerInstance kryo = kryo(KryoClasses.class.getName());
        assertArrayEquals(new float[] {1, 2}, roundTrip(kryo, new float[] {1, 2}));
        TileSum zero = roundTrip(kryo, new TileSum());
        assertEquals(0, zero.arrived());
        TileSum sum = roundTrip(kryo, TileSum.of(1, 2, new float[] {3, 4}));
        assertEquals(1, sum.arrived());
        TileSum total = roundTrip(kryo, roundTrip(kryo, sum).merge(TileSum.of(0, 2, new float[] {1, 1})));
        assertArrayEquals(new float[] {4, 5}, total.total());
        assertEquals(2, roundTrip(kryo, new TileSum[] {zero, sum}).length);
        assertEquals(0, roundTrip(kryo, new PassSum()).statisticsCount());
        assertTrue(KryoClasses.SHIPPED.contains(TileSum.class));
    }

    @Test
    void anUnregisteredClassFails() {
        SerializerInstance kryo = kryo(KryoClasses.class.getName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> roundTrip(kryo, new Inner(1)));
        assertTrue(e.getMessage().contains("Class is not registered"), e.getMessage());
    }

    @Test
    void recordsTravelThroughTheirConstructor() {
        SerializerInstance kryo = kryo(KryoClasses.class.getName() + "," + TestClasses.class.getName());
        Strip strip = new Strip(3, 1L << 40, 0.5f, true, new float[] {1, -2, 3.5f}, "fwd g0", new Inner(2.25));
        Strip back = roundTrip(kryo, strip);
        assertEquals(List.of(3, 1L << 40, 0.5f, true, "fwd g0", new Inner(2.25)),
                List.of(back.tile(), back.iteration(), back.scale(), back.last(), back.name(), back.inner()));
        assertArrayEquals(strip.values(), back.values());
        Strip nulls = roundTrip(kryo, new Strip(0, 0, 0, false, null, null, null));
        assertEquals(null, nulls.values());
        assertEquals(2, roundTrip(kryo, new Strip[] {strip, nulls}).length);
    }
}
