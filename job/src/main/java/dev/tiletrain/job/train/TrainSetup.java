package dev.tiletrain.job.train;

import dev.tiletrain.data.BatchTruth;
import dev.tiletrain.data.DataException;
import dev.tiletrain.data.DataFile;
import dev.tiletrain.data.Dataset;
import dev.tiletrain.data.DatasetCheck;
import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.data.ImageList;
import dev.tiletrain.data.OnError;
import dev.tiletrain.job.conf.ConfException;
import dev.tiletrain.job.conf.ConfKey;
import dev.tiletrain.job.conf.ConfKeys;
import dev.tiletrain.job.conf.TiletrainConf;
import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.cfg.NetConfig;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.model.TrainableNetwork;
import dev.tiletrain.ops.optim.ImagesSeen;
import dev.tiletrain.ops.optim.LearningRate;
import dev.tiletrain.ops.optim.ParamLayout;
import dev.tiletrain.ops.optim.Sgd;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.WeightsHeader;
import dev.tiletrain.tiles.CostModel;
import dev.tiletrain.tiles.DeviceProfile;
import dev.tiletrain.tiles.FusedGroup;
import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import dev.tiletrain.tiles.Planner;
import dev.tiletrain.tiles.Prediction;
import dev.tiletrain.tiles.TrainingPlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * What the driver decides before any executor work: the network (the driver's model, which keeps every
 * weight), the batch split, the optimizer, the data set and the plan (given, or chosen by the planner for
 * the cluster's cores), and the {@link RunSpec} from which each executor builds the tiled layers.
 *
 * @param tiledParameters floats of the tiled layers' parameters, which lead the model's layout: what the
 *     executors hold and what the tiles' gradient covers
 * @param truth the training batches' truth, which the driver's untiled tail trains against
 * @param batch images per iteration; each of the {@code subdivisions} passes takes {@code batch / subdivisions}
 * @param seen Darknet's count of images trained on before this run: the initial weights' (0 without them or
 *     with {@code clearSeen}); the learning rate's batch number and the checkpoints' count go on from it
 * @param prediction the cost model's prediction for the plan, when the device profile is at hand: with overlapped
 *     passes where {@code overlapPasses} is true, or auto and they fit and hide time (the model assumes what the job
 *     does with fewer tiles than devices: the driver's device runs none)
 * @param mayOverlap {@code overlapPasses} is auto, the iteration has two or more passes and two passes' tile states
 *     fit the profile's memory: the job overlaps them if the driver's device runs no tile
 */
public record TrainSetup(RunSpec spec, Model model, TrainingPlan plan, int tiledParameters, BatchTruth truth, Sgd sgd,
        int batch, int subdivisions, int iterations, long seen, Optional<Prediction> prediction, boolean mayOverlap) {

    /**
     * Reads the cfg, data and initial weights through the Hadoop FileSystem ({@code hadoop}); {@code devices}
     * is how many tiles the cluster runs at once, for an {@code auto} plan.
     */
    public static TrainSetup of(TiletrainConf conf, Configuration hadoop, List<Tuple2<String, String>> hadoopEntries,
            int devices) throws IOException {
        String cfgLocation = conf.get(ConfKeys.MODEL);
        HadoopFiles files = new HadoopFiles(hadoop);
        String cfgText;
        try (InputStream in = open(ConfKeys.MODEL, cfgLocation, files)) {
            // As CfgParser reads files: bytes, so that comments in any encoding cannot fail the read.
            cfgText = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        Cfg cfg = CfgParser.parse(cfgText, cfgLocation);
        NetConfig net = NetConfig.of(cfg);
        int width = conf.find(ConfKeys.SIZE).orElse(net.width());
        int height = conf.find(ConfKeys.SIZE).orElse(net.height());
        int batch = conf.find(ConfKeys.BATCH).orElse(net.batch());
        int subdivisions = conf.find(ConfKeys.SUBDIVISIONS).orElse(net.subdivisions());
        if (batch % subdivisions != 0) {
            throw bad(ConfKeys.SUBDIVISIONS, subdivisions, "must divide the batch of " + batch + " images");
        }
        BatchNorm.Mode mode = conf.get(ConfKeys.BATCHNORM);
        long seed = conf.get(ConfKeys.SEED);
        BatchNorm.Backward backward = conf.get(ConfKeys.BATCHNORM_BACKWARD);
        Model model = ModelBuilder.build(cfg, mode, backward, seed, new Shape(net.channels(), height, width));
        int perPass = batch / subdivisions;
        int classes = TrainableNetwork.detectionLoss(cfg, model).config().classes();
        TrainableNetwork.checkBatchNorm(cfg, model, mode, perPass);
        Dataset dataset = dataset(conf, files, classes);
        Optional<DeviceProfile> profile = profile(conf.get(ConfKeys.PROFILE));
        TrainingPlan plan = plan(conf, model, perPass, subdivisions, devices, profile);
        requireRunnable(plan, cfgLocation);
        List<String> entries = new ArrayList<>();
        hadoopEntries.forEach(e -> {
            entries.add(e._1());
            entries.add(e._2());
        });
        RunSpec spec = new RunSpec(cfgLocation, cfgText, width, height, mode, backward, plan.grouping().toString(),
                plan.group(0).grid().toString(), dataset.images().stream().map(Path::toString).toArray(String[]::new),
                dataset.classes(), dataset.names().toArray(String[]::new), seed, perPass, conf.get(ConfKeys.THREADS),
                entries.toArray(String[]::new));
        long seen = 0;
        if (conf.find(ConfKeys.WEIGHTS).isPresent()) {
            String weights = conf.get(ConfKeys.WEIGHTS);
            try (InputStream in = open(ConfKeys.WEIGHTS, weights, files)) {
                WeightsHeader header = DarknetWeights.read(in, weights, model.sections());
                seen = conf.get(ConfKeys.CLEAR_SEEN) ? 0 : header.seen();
            }
        }
        int iterations = iterations(conf, net, cfgLocation, new ImagesSeen(seen, batch));
        LearningRate base = net.learningRate();
        LearningRate rate = conf.find(ConfKeys.LEARNING_RATE)
                .map(r -> new LearningRate(r.floatValue(), base.burnIn(), base.power(), base.policy())).orElse(base);
        Sgd sgd = new Sgd(rate, conf.find(ConfKeys.MOMENTUM).map(Double::floatValue).orElse(net.momentum()),
                conf.find(ConfKeys.DECAY).map(Double::floatValue).orElse(net.decay()), batch);
        BatchTruth truth = new BatchTruth(spec.files(), spec.schedule(cfg));
        Optional<Boolean> overlap = conf.get(ConfKeys.OVERLAP_PASSES);
        Optional<Prediction> serial = profile.map(p -> new CostModel(p, devices).predict(plan, perPass, subdivisions));
        Optional<Prediction> overlapped = profile.map(p -> new CostModel(p, devices).predict(plan, perPass, subdivisions,
                true));
        if (overlap.orElse(false) && serial.isPresent()
                && 2 * serial.get().peakMemory() > profile.get().memoryBytes()) {
            // Measured: a plan that fits once but not twice makes Spark drop cached tile states and recompute
            // them from lineage, 3.5 times slower than not overlapping at all.
            throw new ConfException(List.of(String.format("%s=true holds two passes' tile states at once: twice the "
                    + "plan's %.0f MiB per device is more than the profile's %.0f MiB (%s); set it to false or auto, or "
                    + "let the planner choose the plan (%s and %s auto)", ConfKeys.OVERLAP_PASSES.name(),
                    serial.get().peakMemory() / 1048576.0, profile.get().memoryBytes() / 1048576.0, profile.get().name(),
                    ConfKeys.TILES.name(), ConfKeys.GROUPS.name())));
        }
        boolean mayOverlap = overlap.isEmpty() && subdivisions > 1 && overlapped.isPresent()
                && overlapped.get().peakMemory() <= profile.get().memoryBytes();
        Optional<Prediction> prediction = overlap.orElse(false)
                || mayOverlap && overlapped.get().overlapSeconds() > 0 ? overlapped : serial;
        return new TrainSetup(spec, model, plan, tiledParameters(model, plan), truth, sgd, batch, subdivisions,
                iterations, seen, prediction, mayOverlap);
    }

    /** The iterations key, else as Darknet: until the batch number reaches the cfg's max_batches. */
    private static int iterations(TiletrainConf conf, NetConfig net, String cfgLocation, ImagesSeen seen) {
        if (conf.find(ConfKeys.ITERATIONS).isPresent()) {
            return conf.get(ConfKeys.ITERATIONS);
        }
        if (net.maxBatches() < 1) {
            throw new ConfException(List.of(ConfKeys.ITERATIONS.name() + " is required: " + cfgLocation
                    + " sets no max_batches"));
        }
        long left = net.maxBatches() - seen.batchNumber(0);
        if (left < 1) {
            throw new ConfException(List.of(ConfKeys.ITERATIONS.name() + " is required: the weights have seen "
                    + seen.before() + " images, batch number " + seen.batchNumber(0) + ", and " + cfgLocation
                    + " stops at max_batches=" + net.maxBatches() + " (or set " + ConfKeys.CLEAR_SEEN.name()
                    + "=true to start the schedule over)"));
        }
        return (int) left;
    }

    /**
     * The job's own needs of a plan: an untiled tail, where the loss runs, and one grid for all groups (the
     * halo exchange keeps tile i of every group in partition i).
     */
    private static void requireRunnable(TrainingPlan plan, String cfg) {
        if (!plan.hasTail()) {
            throw new ConfException(List.of(ConfKeys.GROUPS.name() + "=" + plan.grouping() + " tiles the whole of "
                    + cfg + ": the loss layer must run untiled, after the tiled layers"));
        }
        for (FusedGroup g : plan.groups()) {
            if (!g.grid().equals(plan.group(0).grid())) {
                throw new ConfException(List.of(g + " has another grid than group 0: the Spark job needs one grid"));
            }
        }
    }

    /** Floats of the tiled blocks' parameters, which must be the first of the model's layout. */
    private static int tiledParameters(Model model, TrainingPlan plan) {
        List<Param> tiled = new ArrayList<>();
        for (int b = 0; b <= plan.lastTiledBlock(); b++) {
            for (Layer l : model.network().block(b).layers()) {
                tiled.addAll(l.params());
            }
        }
        ParamLayout layout = model.layout();
        int size = 0;
        for (int i = 0; i < tiled.size(); i++) {
            if (layout.params().get(i) != tiled.get(i) || layout.ranges().get(i).offset() != size) {
                throw new IllegalStateException("the tiled layers' parameters do not lead the model's layout");
            }
            size += tiled.get(i).size();
        }
        return size;
    }

    /**
     * Given grid and groups: that plan. Anything {@code auto}: the planner's choice for {@code devices} tiles on
     * the device profile.
     */
    private static TrainingPlan plan(TiletrainConf conf, Model model, int batch, int passes, int devices,
            Optional<DeviceProfile> profile) {
        Optional<Grid> grid = conf.get(ConfKeys.TILES);
        OptionalInt tiled = conf.get(ConfKeys.TILED_LAYERS);
        Optional<Grouping> groups = conf.get(ConfKeys.GROUPS);
        if (groups.isPresent() && tiled.isPresent() && tiled.getAsInt() != groups.get().lastBlock() + 1) {
            throw new ConfException(List.of(ConfKeys.TILED_LAYERS.name() + "=" + tiled.getAsInt() + " but "
                    + ConfKeys.GROUPS.name() + "=" + groups.get() + " tiles " + (groups.get().lastBlock() + 1)
                    + " layers: set one of them to auto"));
        }
        try {
            if (grid.isPresent() && groups.isPresent()) {
                return TrainingPlan.of(model.network(), groups.get(), grid.get());
            }
            DeviceProfile p = profile.orElseThrow(() -> new ConfException(List.of(ConfKeys.PROFILE.name() + "="
                    + conf.get(ConfKeys.PROFILE) + ": neither a file nor a profile in conf/profiles/; the planner "
                    + "needs one for auto")));
            // Overlapped passes hold two passes' tile states on an executor at once: true plans for half the
            // memory; auto weighs each plan both ways, its overlapped prediction counting both passes' states.
            Optional<Boolean> overlap = conf.get(ConfKeys.OVERLAP_PASSES);
            long memory = overlap.orElse(false) ? p.memoryBytes() / 2 : p.memoryBytes();
            return new Planner(model.network(), new CostModel(p, devices), memory, batch, passes, overlap.isEmpty())
                    .choose(tiled.isPresent() ? tiled.getAsInt() - 1 : null, grid.orElse(null), groups.orElse(null))
                    .plan();
        } catch (ConfException e) {
            throw e; // about the profile, named already
        } catch (IllegalArgumentException e) {
            throw new ConfException(List.of(ConfKeys.TILES.name() + "=" + conf.text(ConfKeys.TILES) + ", "
                    + ConfKeys.GROUPS.name() + "=" + conf.text(ConfKeys.GROUPS) + ", "
                    + ConfKeys.TILED_LAYERS.name() + "=" + conf.text(ConfKeys.TILED_LAYERS) + ": "
                    + e.getMessage()));
        }
    }

    /** A profile file, or the name of one in {@code conf/profiles/}; empty when there is neither. */
    private static Optional<DeviceProfile> profile(String nameOrPath) {
        java.nio.file.Path file = java.nio.file.Path.of(nameOrPath);
        if (!Files.isRegularFile(file)) {
            file = java.nio.file.Path.of("conf", "profiles", nameOrPath + ".properties");
        }
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(DeviceProfile.load(file));
        } catch (IllegalArgumentException e) {
            throw bad(ConfKeys.PROFILE, nameOrPath, e.getMessage());
        }
    }

    private static Dataset dataset(TiletrainConf conf, HadoopFiles files, int classes) {
        String location = conf.get(ConfKeys.DATA);
        Path path = new Path(location);
        Dataset dataset;
        try {
            if (location.endsWith(".data")) {
                dataset = Dataset.train(files, DataFile.read(files, path));
            } else {
                List<String> names = IntStream.range(0, classes).mapToObj(i -> "class" + i).toList();
                dataset = new Dataset(ImageList.read(files, path), classes, names);
            }
        } catch (DataException e) {
            if (e.problem().file().equals(path) && e.problem().line() == 0) {
                throw bad(ConfKeys.DATA, location, e.problem().reason());
            }
            throw e;
        }
        if (dataset.classes() > classes) {
            throw bad(ConfKeys.DATA, location, "has " + dataset.classes() + " classes but the network detects " + classes);
        }
        if (OnError.parse(conf.get(ConfKeys.DATA_ON_ERROR), ConfKeys.DATA_ON_ERROR.name()) == OnError.SKIP) {
            dataset = dataset.withImages(DatasetCheck.of(files, dataset, OnError.SKIP).usable());
        }
        return dataset;
    }

    /** The file {@code key} names, opened; a missing file or a directory is an error naming the key. */
    private static InputStream open(ConfKey<String> key, String location, HadoopFiles files) {
        try {
            return files.open(new Path(location));
        } catch (DataException e) {
            throw bad(key, location, e.problem().reason());
        }
    }

    private static ConfException bad(ConfKey<?> key, Object value, String problem) {
        return new ConfException(List.of(key.name() + "=" + value + ": " + problem));
    }
}
