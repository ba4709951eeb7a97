package dev.tiletrain.job.train;

import dev.tiletrain.data.Augmentation;
import dev.tiletrain.data.BatchSchedule;
import dev.tiletrain.data.Dataset;
import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Everything an executor needs to build the run's tiled prefix and data reader, broadcast once per run: the
 * cfg's text (executors need not see the driver's files), the input size, the plan as the driver chose it
 * (the planner runs only there), the training images after the driver's checks, and the Hadoop settings
 * ({@code spark.hadoop.*}) to read them with, as alternating keys and values.
 *
 * @param imagesPerPass images in one pass (one forward and one backward Spark job): the iteration's batch
 *     divided by its subdivisions
 * @param threads compute threads inside a tile task ({@code spark.tiletrain.threads})
 */
public record RunSpec(String cfgName, String cfgText, int width, int height, BatchNorm.Mode mode,
        BatchNorm.Backward backward, String grouping, String grid, String[] images, int classes, String[] names, long seed,
        int imagesPerPass, int threads, String[] hadoopConf) implements Serializable {

    public Cfg cfg() {
        return CfgParser.parse(cfgText, cfgName);
    }

    public HadoopFiles files() {
        Configuration hadoop = new Configuration();
        for (int i = 0; i + 1 < hadoopConf.length; i += 2) {
            hadoop.set(hadoopConf[i], hadoopConf[i + 1]);
        }
        return new HadoopFiles(hadoop);
    }

    /** The training batches: which images each pass takes and how each is augmented. */
    public BatchSchedule schedule(Cfg cfg) {
        Dataset dataset = new Dataset(Arrays.stream(images).map(Path::new).toList(), classes, List.of(names));
        return BatchSchedule.training(dataset, Augmentation.of(cfg, width, height), seed, imagesPerPass);
    }

    /** The seed of pass {@code pass} (0-based over the run), as the in-process trainer seeds it. */
    public long passSeed(long pass) {
        return seed + pass;
    }
}
