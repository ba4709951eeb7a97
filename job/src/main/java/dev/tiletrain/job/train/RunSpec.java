package dev.tiletrain.job.train;

import dev.tiletrain.ops.layers.BatchNorm;
import java.io.Serializable;

/**
 * Everything an executor needs to build the run's model, plan and data reader, broadcast once per run:
 * the cfg's text (executors need not see the driver's files), the input size, the plan as the driver chose
 * it (the planner runs only there), the training images after the driver's checks, and the Hadoop settings
 * ({@code spark.hadoop.*}) to read them with, as alternating keys and values.
 *
 * @param batch images per pass (per Spark job)
 */
public record RunSpec(String cfgName, String cfgText, int width, int height, BatchNorm.Mode mode,
        BatchNorm.Backward backward, String grouping,
        String grid, String[] images, int classes, String[] names, long seed, int batch, String[] hadoopConf)
        implements Serializable {}
