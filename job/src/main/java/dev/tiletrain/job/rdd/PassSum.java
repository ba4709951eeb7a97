package dev.tiletrain.job.rdd;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.tiles.TileSum;
import java.io.Serializable;
import java.util.Arrays;

/**
 * What the tiles of one training pass send to the driver, summed by {@code treeAggregate(new PassSum(),
 * PassSum::merge, PassSum::merge, depth)}: each tile's partial gradient of the tiled layers (one vector over
 * their parameters, every group's part of it) added in the fixed tile order of {@link TileSum}, so the sum's
 * bits do not depend on which task finished first; and the batch statistics the tiles' batch norms used
 * (by position in the network's {@code batchNorms()}), sent by tile 0, where all tiles agree, for the rolling
 * update. A second copy of a batch norm's statistics is an error. The zero value allocates nothing: a
 * treeAggregate zero travels in every task's closure.
 */
public final class PassSum implements Serializable {
    private static final long serialVersionUID = 2L;

    private TileSum gradient = new TileSum();
    private int[] statisticsOf = new int[0];
    private BatchNorm.Stats[] statistics = new BatchNorm.Stats[0];

    /** Tile {@code tile} of {@code tiles}: its gradient (which the sum takes over) and statistics by position. */
    public static PassSum part(int tile, int tiles, float[] gradient, int[] statisticsOf, BatchNorm.Stats[] statistics) {
        if (statisticsOf.length != statistics.length) {
            throw new IllegalArgumentException(statisticsOf.length + " positions for " + statistics.length + " statistics");
        }
        PassSum p = new PassSum();
        p.gradient = TileSum.of(tile, tiles, gradient);
        p.statisticsOf = statisticsOf.clone();
        p.statistics = statistics.clone();
        return p;
    }

    /** Adds {@code other} into this sum; {@code other} is consumed. */
    public PassSum merge(PassSum other) {
        gradient.merge(other.gradient);
        int n = statisticsOf.length;
        statisticsOf = Arrays.copyOf(statisticsOf, n + other.statisticsOf.length);
        statistics = Arrays.copyOf(statistics, n + other.statistics.length);
        for (int i = 0; i < other.statisticsOf.length; i++) {
            for (int j = 0; j < n; j++) {
                if (statisticsOf[j] == other.statisticsOf[i]) {
                    throw new IllegalStateException("two tiles sent the statistics of batch norm " + statisticsOf[j]);
                }
            }
            statisticsOf[n + i] = other.statisticsOf[i];
            statistics[n + i] = other.statistics[i];
        }
        return this;
    }

    /** The tiled layers' gradient summed over all tiles. */
    public float[] gradient() {
        return gradient.total();
    }

    /** The statistics of batch norm {@code k} (position in the network's batch norms), or null. */
    public BatchNorm.Stats statistics(int k) {
        for (int i = 0; i < statisticsOf.length; i++) {
            if (statisticsOf[i] == k) {
                return statistics[i];
            }
        }
        return null;
    }

    /** How many batch norms sent statistics. */
    public int statisticsCount() {
        return statisticsOf.length;
    }
}
