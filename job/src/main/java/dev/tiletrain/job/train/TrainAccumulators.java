package dev.tiletrain.job.train;

import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * The named accumulators the Spark UI shows per stage. Updated inside transformations, so a re-run task
 * counts again: they show what ran, while the driver's numbers come from the aggregated pass.
 *
 * @param haloForward payload bytes of the halo strips sent to other tiles going forward
 * @param haloBackward payload bytes of the partial deltas sent back to their owners
 * @param syncs batch-norm synchronisations, forward and backward (one per sync point, counted by tile 0)
 */
public record TrainAccumulators(LongAccumulator haloForward, LongAccumulator haloBackward, LongAccumulator syncs)
        implements Serializable {
    public static TrainAccumulators register(JavaSparkContext sc) {
        return new TrainAccumulators(sc.sc().longAccumulator("halo bytes fwd"), sc.sc().longAccumulator("halo bytes bwd"),
                sc.sc().longAccumulator("BN syncs"));
    }
}
