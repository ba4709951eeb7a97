package dev.tiletrain.job.train;

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
import dev.tiletrain.ops.layers.Region;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.optim.LearningRate;
import dev.tiletrain.ops.optim.Sgd;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.tiles.CostModel;
import dev.tiletrain.tiles.DeviceProfile;
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
 * What the driver decides before any executor work: the network, the batch split, the optimizer, the data
 * set and the plan (given, or chosen by the planner for the cluster's cores), as one {@link RunSpec}, and
 * the driver's own {@link RunModel} holding the initial weights.
 *
 * @param batch images per iteration; each of the {@code subdivisions} passes takes {@code batch / subdivisions}
 */
public record TrainSetup(RunSpec spec, RunModel driver, Sgd sgd, int batch, int subdivisions, int iterations,
        Optional<Prediction> prediction) {

    /**
     * Reads the cfg, data and initial weights through the Hadoop FileSystem ({@code hadoop}); {@code devices}
     * is how many tiles the cluster runs at once, for an {@code auto} plan.
     */
    public static TrainSetup of(TiletrainConf conf, Configuration hadoop, List<Tuple2<String, String>> hadoopEntries,
            int devices) throws IOException {
        String cfgLocation = conf.get(ConfKeys.MODEL);
        String cfgText = readText(cfgLocation, hadoop);
        Cfg cfg = CfgParser.parse(cfgText, cfgLocation);
        NetConfig net = NetConfig.of(cfg);
        int width = conf.find(ConfKeys.SIZE).orElse(net.width());
        int height = conf.find(ConfKeys.SIZE).orElse(net.height());
        int batch = conf.find(ConfKeys.BATCH).orElse(net.batch());
        int subdivisions = conf.find(ConfKeys.SUBDIVISIONS).orElse(net.subdivisions());
        if (batch % subdivisions != 0) {
            throw bad(ConfKeys.SUBDIVISIONS, subdivisions, "must divide the batch of " + batch + " images");
        }
        int iterations = conf.find(ConfKeys.ITERATIONS).orElse(net.maxBatches());
        if (iterations < 1) {
            throw new ConfException(List.of(ConfKeys.ITERATIONS.name() + " is required: " + cfgLocation
                    + " sets no max_batches"));
        }
        BatchNorm.Mode mode = conf.get(ConfKeys.BATCHNORM);
        long seed = conf.get(ConfKeys.SEED);
        Model planning = ModelBuilder.build(cfg, mode, seed, new Shape(net.channels(), height, width));

        HadoopFiles files = new HadoopFiles(hadoop);
        int classes;
        try {
            classes = classes(planning);
        } catch (IllegalArgumentException e) {
            throw bad(ConfKeys.MODEL, cfgLocation, e.getMessage());
        }
        Dataset dataset = dataset(conf, files, classes);
        int perPass = batch / subdivisions;
        Choice plan = plan(conf, planning, perPass, devices);
        List<String> entries = new ArrayList<>();
        hadoopEntries.forEach(e -> {
            entries.add(e._1());
            entries.add(e._2());
        });
        RunSpec spec = new RunSpec(cfgLocation, cfgText, width, height, mode, conf.get(ConfKeys.BATCHNORM_BACKWARD),
                groups(plan.plan()),
                plan.plan().group(0).grid().toString(), dataset.images().stream().map(Path::toString).toArray(String[]::new),
                dataset.classes(), dataset.names().toArray(String[]::new), seed, perPass, entries.toArray(String[]::new));
        RunModel driver = RunModel.of(spec);
        if (conf.find(ConfKeys.WEIGHTS).isPresent()) {
            String weights = conf.get(ConfKeys.WEIGHTS);
            Path path = new Path(weights);
            try (InputStream in = path.getFileSystem(hadoop).open(path)) {
                dev.tiletrain.ops.weights.DarknetWeights.read(in, weights, driver.model().sections());
            }
        }
        LearningRate base = net.learningRate();
        LearningRate rate = conf.find(ConfKeys.LEARNING_RATE)
                .map(r -> new LearningRate(r.floatValue(), base.burnIn(), base.power(), base.policy())).orElse(base);
        Sgd sgd = new Sgd(rate, conf.find(ConfKeys.MOMENTUM).map(Double::floatValue).orElse(net.momentum()),
                conf.find(ConfKeys.DECAY).map(Double::floatValue).orElse(net.decay()), batch);
        return new TrainSetup(spec, driver, sgd, batch, subdivisions, iterations, plan.prediction());
    }

    /** A plan and, when the planner chose it, its prediction. */
    private record Choice(TrainingPlan plan, Optional<Prediction> prediction) {}

    /** Given grid and groups: that plan. Anything {@code auto}: the planner's choice for {@code devices} tiles. */
    private static Choice plan(TiletrainConf conf, Model model, int batch, int devices) {
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
                return new Choice(TrainingPlan.of(model.network(), groups.get(), grid.get()), Optional.empty());
            }
            DeviceProfile profile = profile(conf.get(ConfKeys.PROFILE));
            Planner.Choice c = new Planner(model.network(), new CostModel(profile, devices), profile.memoryBytes(), batch)
                    .choose(tiled.isPresent() ? tiled.getAsInt() - 1 : null, grid.orElse(null), groups.orElse(null));
            return new Choice(c.plan(), Optional.of(c.prediction()));
        } catch (IllegalArgumentException e) {
            throw new ConfException(List.of(ConfKeys.TILES.name() + "=" + conf.text(ConfKeys.TILES) + ", "
                    + ConfKeys.GROUPS.name() + "=" + conf.text(ConfKeys.GROUPS) + ", "
                    + ConfKeys.TILED_LAYERS.name() + "=" + conf.text(ConfKeys.TILED_LAYERS) + ": "
                    + e.getMessage()));
        }
    }

    /** A profile file, or the name of one in {@code conf/profiles/}. */
    private static DeviceProfile profile(String nameOrPath) {
        java.nio.file.Path file = java.nio.file.Path.of(nameOrPath);
        if (!Files.isRegularFile(file)) {
            file = java.nio.file.Path.of("conf", "profiles", nameOrPath + ".properties");
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfException(List.of(ConfKeys.PROFILE.name() + "=" + nameOrPath + ": neither a file nor a profile "
                    + "in conf/profiles/ (" + file.toAbsolutePath() + "); the planner needs one for auto"));
        }
        return DeviceProfile.load(file);
    }

    private static Dataset dataset(TiletrainConf conf, HadoopFiles files, int classes) {
        String location = conf.get(ConfKeys.DATA);
        Path path = new Path(location);
        Dataset dataset;
        if (location.endsWith(".data")) {
            dataset = Dataset.train(files, DataFile.read(files, path));
        } else {
            List<String> names = IntStream.range(0, classes).mapToObj(i -> "class" + i).toList();
            dataset = new Dataset(ImageList.read(files, path), classes, names);
        }
        if (dataset.classes() > classes) {
            throw bad(ConfKeys.DATA, location, "has " + dataset.classes() + " classes but the network detects " + classes);
        }
        if (OnError.parse(conf.get(ConfKeys.DATA_ON_ERROR), ConfKeys.DATA_ON_ERROR.name()) == OnError.SKIP) {
            dataset = dataset.withImages(DatasetCheck.of(files, dataset, OnError.SKIP).usable());
        }
        return dataset;
    }

    /** The classes the network's loss layer tells apart; training needs a detector. */
    public static int classes(Model model) {
        var blocks = model.network().blocks();
        if (blocks.get(blocks.size() - 1).loss() instanceof Region r) {
            return r.config().classes();
        }
        throw new IllegalArgumentException(model.name() + " does not end in a [region] layer: training needs a detector");
    }

    /** {@code 0-3,4-8}: the plan's cuts. */
    public static String groups(TrainingPlan plan) {
        StringBuilder s = new StringBuilder();
        plan.groups().forEach(g -> s.append(s.length() == 0 ? "" : ",").append(g.firstBlock()).append('-')
                .append(g.lastBlock()));
        return s.toString();
    }

    private static String readText(String location, Configuration hadoop) throws IOException {
        Path path = new Path(location);
        try (InputStream in = path.getFileSystem(hadoop).open(path)) {
            // As CfgParser reads files: bytes, so that comments in any encoding cannot fail the read.
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (java.io.FileNotFoundException e) {
            throw bad(ConfKeys.MODEL, location, "no such file");
        }
    }

    private static ConfException bad(ConfKey<?> key, Object value, String problem) {
        return new ConfException(List.of(key.name() + "=" + value + ": " + problem));
    }
}
