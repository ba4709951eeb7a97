package dev.tiletrain.job.train;

import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * The named accumulators the Spark UI shows per stage. Updated inside transformations, so a re-run task
 * counts again: they show what ran, while the driver's numbers come from the aggregated pass.
 *
 * @param loss the tail's cost (Darknet's, summed over images)
 * @param images images the tail trained on
 * @param haloForward payload bytes of the halo strips sent to other tiles going forward
 * @param haloBackward payload bytes of the partial deltas sent back to their owners
 * @param syncs batch-norm synchronisations, forward and backward (one per sync point, counted by tile 0)
 */
public record TrainAccumulators(DoubleAccumulator loss, LongAccumulator images, LongAccumulator haloForward,
        LongAccumulator haloBackward, LongAccumulator syncs) implements Serializable {
    public static TrainAccumulators register(JavaSparkContext sc) {
        return new TrainAccumulators(sc.sc().doubleAccumulator("loss"), sc.sc().longAccumulator("images"),
                sc.sc().longAccumulator("halo bytes fwd"), sc.sc().longAccumulator("halo bytes bwd"),
                sc.sc().longAccumulator("BN syncs"));
    }
}
