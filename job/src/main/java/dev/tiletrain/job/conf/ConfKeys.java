package dev.tiletrain.job.conf;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Every {@code spark.tiletrain.*} key; a key not listed here is an error. README's table comes from {@link #ALL}. */
public final class ConfKeys {
    private static final String FROM_CFG = "the cfg's [net] ";

    public static final ConfKey<String> MODEL = new ConfKey<>("model", "path", null, "required",
            "Darknet .cfg of the network to train", Parsers.text());
    public static final ConfKey<String> WEIGHTS = new ConfKey<>("weights", "path", null, "Darknet's random init",
            "initial weights in Darknet's .weights format", Parsers.text());
    public static final ConfKey<Boolean> CLEAR_SEEN = new ConfKey<>("clearSeen", "true or false", "false", null,
            "true: start the count of images seen (which drives the learning-rate schedule and max_batches) from 0, "
            + "as Darknet's -clear; false: go on from the weights file's count", Parsers.bool());
    public static final ConfKey<String> DATA = new ConfKey<>("data", "path", null, "required",
            "training images: a Darknet .data file or a list of image paths", Parsers.text());
    public static final ConfKey<Optional<Grid>> TILES = new ConfKey<>("tiles", "auto or <rows>x<columns>", "2x2", null,
            "tile grid over each group's last output map; one tile per executor core is the normal case",
            Parsers.grid());
    public static final ConfKey<OptionalInt> TILED_LAYERS = new ConfKey<>("tiledLayers", "auto or count", "auto", null,
            "how many leading layers are tiled; the rest (the tail) runs untiled", Parsers.autoOrCount());
    public static final ConfKey<Optional<Grouping>> GROUPS = new ConfKey<>("groups", "auto or ranges like 0-3,4-9", "auto",
            null, "fused layer groups of the tiled layers; each boundary is one halo exchange each way",
            Parsers.groups());
    public static final ConfKey<BatchNorm.Mode> BATCHNORM = new ConfKey<>("batchnorm", "sync or frozen", "sync", null,
            "sync: batch statistics over the whole map (a stage per BN layer); frozen: the weights' rolling statistics, "
            + "no syncs (trained weights, or tiletrain calibrate-bn's)",
            Parsers.constant(BatchNorm.Mode.class));
    public static final ConfKey<BatchNorm.Backward> BATCHNORM_BACKWARD = new ConfKey<>("batchnorm.backward",
            "exact or darknet", "exact", null, "batch norm's backward in sync mode: exact, the gradient of the forward; "
            + "darknet, Darknet's own (√(v+1e-5), deltas over m where the forward divides by m−1), to compare a run "
            + "step by step with Darknet", Parsers.constant(BatchNorm.Backward.class));
    public static final ConfKey<Integer> BATCH = new ConfKey<>("batch", "count", null, FROM_CFG + "batch",
            "images per iteration", Parsers.intAtLeast(1));
    public static final ConfKey<Integer> SUBDIVISIONS = new ConfKey<>("subdivisions", "count", null,
            FROM_CFG + "subdivisions", "passes per iteration (one Spark job each), gradients summed: each holds "
            + "batch/subdivisions images", Parsers.intAtLeast(1));
    public static final ConfKey<Integer> SIZE = new ConfKey<>("size", "pixels, 32 to 4096", null,
            FROM_CFG + "width and height", "network input width and height (the range of train --size)",
            Parsers.intBetween(32, 4096));
    public static final ConfKey<Integer> ITERATIONS = new ConfKey<>("iterations", "count", null,
            FROM_CFG + "max_batches less the batches the weights have seen", "iterations (batches) to train",
            Parsers.intAtLeast(1));
    public static final ConfKey<Double> LEARNING_RATE = new ConfKey<>("learningRate", "number in (0, 1]", null,
            FROM_CFG + "learning_rate", "base learning rate of the cfg's policy", Parsers.number(true, 1));
    public static final ConfKey<Double> MOMENTUM = new ConfKey<>("momentum", "number in [0, 1]", null,
            FROM_CFG + "momentum", "SGD momentum", Parsers.number(false, 1));
    public static final ConfKey<Double> DECAY = new ConfKey<>("decay", "number in [0, 1]", null, FROM_CFG + "decay",
            "weight decay", Parsers.number(false, 1));
    public static final ConfKey<String> CHECKPOINT_DIR = new ConfKey<>("checkpoint.dir", "Hadoop path", null,
            "no checkpoints", "where checkpoints and the metrics CSVs go (any Hadoop FileSystem URI)", Parsers.text());
    public static final ConfKey<Integer> CHECKPOINT_EVERY = new ConfKey<>("checkpoint.every", "count", "100", null,
            "iterations between checkpoints", Parsers.intAtLeast(1));
    public static final ConfKey<Integer> VALIDATE_EVERY = new ConfKey<>("validate.every", "count", "0", null,
            "iterations between mAP@0.5 evaluations on the data's valid= list, on the driver (0: never)",
            Parsers.intAtLeast(0));
    public static final ConfKey<String> PROFILE = new ConfKey<>("profile", "name or path", "pi3", null,
            "device profile the planner's cost model uses for auto", Parsers.text());
    public static final ConfKey<Long> SEED = new ConfKey<>("seed", "whole number", "1", null,
            "seed of the data order, augmentation and initial weights", Parsers.anyLong());
    public static final ConfKey<Integer> THREADS = new ConfKey<>("threads", "count", "1", null,
            "compute threads inside one tile task (1: Spark's task slots are the parallelism)", Parsers.intAtLeast(1));
    public static final ConfKey<Integer> AGGREGATE_DEPTH = new ConfKey<>("aggregateDepth", "count", "1", null,
            "depth of the treeAggregate that sums the weight gradients; 1 sends each tile's and the tail's part "
            + "straight to the driver, best when the untiled tail's part dominates (a level moves it one more hop)",
            Parsers.intAtLeast(1));
    public static final ConfKey<Optional<Boolean>> OVERLAP_PASSES = new ConfKey<>("overlapPasses",
            "auto, true or false", "auto", null, "true: a pass's forward runs on the executors while the driver computes "
            + "the previous pass's tail, and its tail while they run that pass's backward (same results; two passes' tile "
            + "states at once, so the planner plans for half of the profile's memory); auto: so when the iteration has "
            + "2 or more passes, the driver's device runs no tile and two passes' states fit the profile's memory",
            Parsers.autoOrBool());
    public static final ConfKey<String> DATA_ON_ERROR = new ConfKey<>("data.onError", "fail or skip", "fail", null,
            "an unreadable image or label stops the job (fail) or is logged and left out (skip)",
            Parsers.choice("fail", "skip"));
    public static final ConfKey<Integer> EXECUTOR_WAIT_SECONDS = new ConfKey<>("executorWaitSeconds", "seconds",
            "120", null, "how long the driver waits for its executors before failing with what is missing",
            Parsers.intAtLeast(1));
    public static final ConfKey<String> MASTER_WEB_UI = new ConfKey<>("masterWebUi", "URL", null,
            "http://<master host>:8080", "the standalone master's web UI, read to explain missing executors",
            Parsers.url());
    public static final ConfKey<String> TESTBED = new ConfKey<>("testbed", "path", null, "not an emulated cluster",
            "state file of the test bed the job runs on (submit/cluster's testbed.properties; submit/train sets it): "
            + "each device's link bytes and memory are read from it", Parsers.text());

    public static final List<ConfKey<?>> ALL = List.of(MODEL, WEIGHTS, CLEAR_SEEN, DATA, TILES, TILED_LAYERS, GROUPS,
            BATCHNORM, BATCHNORM_BACKWARD, BATCH, SUBDIVISIONS, SIZE, ITERATIONS, LEARNING_RATE, MOMENTUM, DECAY,
            CHECKPOINT_DIR, CHECKPOINT_EVERY, VALIDATE_EVERY, PROFILE, SEED, THREADS, AGGREGATE_DEPTH, OVERLAP_PASSES,
            DATA_ON_ERROR,
            EXECUTOR_WAIT_SECONDS, MASTER_WEB_UI, TESTBED);

    private ConfKeys() {}
}
