package dev.tiletrain.job.rdd;

import org.apache.spark.Partitioner;

/**
 * Sends a record keyed by a tile index to that tile's partition: partition i of every tile RDD holds tile
 * i, so a halo shuffle's reducer reads only the strips its neighbours addressed to it.
 */
public final class TilePartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;

    private final int tiles;

    public TilePartitioner(int tiles) {
        if (tiles < 1) {
            throw new IllegalArgumentException("tiles must be at least 1, got " + tiles);
        }
        this.tiles = tiles;
    }

    @Override
    public int numPartitions() {
        return tiles;
    }

    @Override
    public int getPartition(Object key) {
        if (!(key instanceof Integer tile) || tile < 0 || tile >= tiles) {
            throw new IllegalArgumentException("key " + key + " is not a tile index in 0.." + (tiles - 1));
        }
        return tile;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TilePartitioner p && p.tiles == tiles;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(tiles);
    }
}
