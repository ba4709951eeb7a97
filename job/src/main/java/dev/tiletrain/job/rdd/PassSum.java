package dev.tiletrain.job.rdd;

import dev.tiletrain.ops.layers.BatchNorm;
import java.io.Serializable;
import java.util.Arrays;

/**
 * What one training pass sends to the driver, summed by {@code treeAggregate(new PassSum(), PassSum::merge,
 * PassSum::merge, depth)}: the gradient slices of every tile and the tail, the tail's cost, and the batch
 * statistics each batch norm used (by its position in the network's {@code batchNorms()}), for the
 * rolling update. Each batch norm's statistics come from exactly one part (tile 0 of its group, where all
 * tiles agree, or the tail), so a second copy is an error. The zero value is small (see {@link GradientSum}).
 */
public final class PassSum implements Serializable {
    private static final long serialVersionUID = 1L;

    private GradientSum gradients = new GradientSum();
    private double cost;
    private int[] statisticsOf = new int[0];
    private BatchNorm.Stats[] statistics = new BatchNorm.Stats[0];

    /** One part: a gradient slice (copied) at {@code offset}, a cost, and statistics by batch-norm position. */
    public static PassSum part(int offset, float[] gradient, double cost, int[] statisticsOf,
            BatchNorm.Stats[] statistics) {
        if (statisticsOf.length != statistics.length) {
            throw new IllegalArgumentException(statisticsOf.length + " positions for " + statistics.length + " statistics");
        }
        PassSum p = new PassSum();
        p.gradients.add(offset, gradient);
        p.cost = cost;
        p.statisticsOf = statisticsOf.clone();
        p.statistics = statistics.clone();
        return p;
    }

    /** Adds {@code other} into this sum; {@code other} is consumed. */
    public PassSum merge(PassSum other) {
        gradients.merge(other.gradients);
        cost += other.cost;
        int n = statisticsOf.length;
        statisticsOf = Arrays.copyOf(statisticsOf, n + other.statisticsOf.length);
        statistics = Arrays.copyOf(statistics, n + other.statistics.length);
        for (int i = 0; i < other.statisticsOf.length; i++) {
            for (int j = 0; j < n; j++) {
                if (statisticsOf[j] == other.statisticsOf[i]) {
                    throw new IllegalStateException("two parts sent the statistics of batch norm " + statisticsOf[j]);
                }
            }
            statisticsOf[n + i] = other.statisticsOf[i];
            statistics[n + i] = other.statistics[i];
        }
        return this;
    }

    public GradientSum gradients() {
        return gradients;
    }

    public double cost() {
        return cost;
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
