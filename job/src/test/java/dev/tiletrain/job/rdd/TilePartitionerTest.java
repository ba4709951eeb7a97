package dev.tiletrain.job.rdd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TilePartitionerTest {
    @Test
    void tileIKeysGoToPartitionI() {
        TilePartitioner p = new TilePartitioner(6);
        assertEquals(6, p.numPartitions());
        for (int t = 0; t < 6; t++) {
            assertEquals(t, p.getPartition(t));
        }
    }

    @Test
    void otherKeysAreErrors() {
        TilePartitioner p = new TilePartitioner(4);
        assertThrows(IllegalArgumentException.class, () -> p.getPartition(4));
        assertThrows(IllegalArgumentException.class, () -> p.getPartition(-1));
        assertThrows(IllegalArgumentException.class, () -> p.getPartition(2L));
        assertThrows(IllegalArgumentException.class, () -> p.getPartition("2"));
        assertThrows(IllegalArgumentException.class, () -> new TilePartitioner(0));
    }

    /** Equal partitioners let Spark skip a shuffle between RDDs partitioned alike. */
    @Test
    void equalByTileCount() {
        assertEquals(new TilePartitioner(4), new TilePartitioner(4));
        assertEquals(new TilePartitioner(4).hashCode(), new TilePartitioner(4).hashCode());
        assertNotEquals(new TilePartitioner(4), new TilePartitioner(9));
    }
}
