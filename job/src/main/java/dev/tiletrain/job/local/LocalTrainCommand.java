package dev.tiletrain.job.local;

import dev.tiletrain.data.Augmentation;
import dev.tiletrain.data.BatchSchedule;
import dev.tiletrain.data.BatchTruth;
import dev.tiletrain.data.DataException;
import dev.tiletrain.data.DataFile;
import dev.tiletrain.data.Dataset;
import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.data.TileCrop;
import dev.tiletrain.data.shapes.ShapeKind;
import dev.tiletrain.data.shapes.ShapesWriter;
import dev.tiletrain.job.cli.HadoopLocation;
import dev.tiletrain.job.detect.MeanAveragePrecision;
import dev.tiletrain.job.detect.Validation;
import dev.tiletrain.job.metrics.Eta;
import dev.tiletrain.job.metrics.HeapPeak;
import dev.tiletrain.job.metrics.TrainingCsv;
import dev.tiletrain.job.train.IterationStep;
import dev.tiletrain.job.train.PlanTable;
import dev.tiletrain.job.train.TrainSetup;
import dev.tiletrain.job.train.TrainingStopped;
import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.cfg.NetConfig;
import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.model.ModelOptimizer;
import dev.tiletrain.ops.model.TrainableNetwork;
import dev.tiletrain.ops.net.Backprop;
import dev.tiletrain.ops.net.BackwardStart;
import dev.tiletrain.ops.net.StepResult;
import dev.tiletrain.ops.optim.ImagesSeen;
import dev.tiletrain.ops.optim.Sgd;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.WeightsFormatException;
import dev.tiletrain.ops.weights.WeightsHeader;
import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import dev.tiletrain.tiles.InProcessRunner;
import dev.tiletrain.tiles.TrainingPlan;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code tiletrain train}: trains a Darknet detector in this one process, untiled or through a fused-tile
 * plan run by the in-process runner (the oracle the Spark job must equal), on a Darknet dataset — by
 * default the synthetic shapes set, generated on first use. One line per iteration.
 */
public final class LocalTrainCommand {
    private static final String USAGE = """
            Usage: tiletrain train [--cfg NET.cfg] [--data D.data] [--weights W.weights [--clear]] [--size S] [--batch B]
                                   [--subdivisions K] [--iterations N] [--tiles NxM] [--groups CUTS]
                                   [--batchnorm sync|frozen] [--batchnorm-backward exact|darknet] [--seed K]
                                   [--out DIR] [--checkpoint-every N] [--validate-every N]

            Trains in this process (no Spark) and prints one line per iteration: iteration, loss (Darknet's
            cost per image), its running average, images/s, halo MB moved between tiles, ETA, and the latest
            mAP. DIR gets local-<start ms>-iterations.csv (a row per iteration, flushed: tail -f follows it),
            plan.txt, the weights as Darknet names them (<cfg>_<N>.weights and <cfg>_last.weights at each
            checkpoint, <cfg>_final.weights at the end) and report.html with its charts, rebuilt at each
            checkpoint and at the end (tiletrain report DIR rebuilds it).

              --cfg NET.cfg        network (default conf/yolov2-tiny-voc.cfg)
              --data D.data        Darknet .data file (default target/shapes-C/shapes.data, generated if missing:
                                   1000 images of C = min(the network's classes, 8) shape classes)
              --weights W          initial weights (default: Darknet's random initialization from --seed)
              --size S             network input S×S (default: the cfg's width × height)
              --batch B            images per iteration (one weight update), as the cfg's batch (default: the cfg's)
              --subdivisions K     passes the batch is cut into, gradients summed (default: the cfg's)
              --iterations N       weight updates (default 100)
              --tiles NxM          run the tileable prefix as fused tiles on an N×M grid (default 1x1: untiled)
              --groups CUTS        group cut points, e.g. 0-3,4-7 (default: the longest tileable prefix as one)
              --batchnorm MODE     sync (batch statistics, default) or frozen (rolling statistics)
              --batchnorm-backward exact (the exact gradient, default) or darknet (Darknet's own backward, to
                                   compare a run step by step with Darknet)
              --seed K             random seed for initialization and data order (default 1)
              --out DIR            where weights, metrics and the report go (default target/train; a local
                                   path or a Hadoop FileSystem URI)
              --checkpoint-every N write the weights and the report every N iterations (default 0: at the end)
              --validate-every N   mAP@0.5 on the .data file's valid= list every N iterations and at the end
                                   (default 0: never), as tiletrain map computes it
            """;

    private LocalTrainCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Arguments a = Arguments.parse(args, Set.of("cfg", "data", "weights", "size", "batch", "subdivisions",
                    "iterations", "tiles", "groups", "batchnorm", "batchnorm-backward", "seed", "out", "checkpoint-every",
                    "validate-every"), Set.of("clear"));
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            return train(a, out);
        } catch (UsageException | IllegalArgumentException e) {
            err.println("train: " + e.getMessage());
            err.println("Try 'tiletrain train --help'.");
            return 2;
        } catch (CfgException | DataException | WeightsFormatException | FileSystemException e) {
            // Bad input files: the message names the file (and line) and says what is wrong.
            err.println("train: " + e.getMessage());
            return 2;
        } catch (TrainingStopped e) {
            err.println("train: " + e.getMessage());
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("train: " + e);
            return 1;
        }
    }

    private static int train(Arguments a, PrintStream out) throws UsageException, IOException {
        Cfg cfg = CfgParser.parse(Path.of(a.get("cfg", "conf/yolov2-tiny-voc.cfg")));
        cfg.warnings().forEach(w -> out.println("warning: " + w));
        String blasThreads = System.getenv("OPENBLAS_NUM_THREADS");
        if (!"1".equals(blasThreads)) {
            out.println("warning: OPENBLAS_NUM_THREADS is " + (blasThreads == null ? "unset" : "'" + blasThreads + "'")
                    + ": OpenBLAS splits GEMMs over threads of its own, which"
                    + " round differently from the Spark executors' single-threaded GEMMs, so this run will not train the"
                    + " cluster's weights to the bit (submit/tiletrain sets it to 1)");
        }
        NetConfig net = NetConfig.of(cfg);
        int size = a.integer("size", net.width(), 32, 4096);
        int height = a.has("size") ? size : net.height();
        int updateBatch = a.integer("batch", net.batch(), 1, 4096);
        int subdivisions = a.integer("subdivisions", net.subdivisions(), 1, 4096);
        if (updateBatch % subdivisions != 0) {
            throw new UsageException("--subdivisions " + subdivisions + " must divide the batch of " + updateBatch);
        }
        int passImages = updateBatch / subdivisions;
        int iterations = a.integer("iterations", 100, 1, Integer.MAX_VALUE);
        int every = a.integer("checkpoint-every", 0, 0, Integer.MAX_VALUE);
        int validateEvery = a.integer("validate-every", 0, 0, Integer.MAX_VALUE);
        long seed = a.longValue("seed", 1);
        BatchNorm.Mode mode = switch (a.get("batchnorm", "sync")) {
            case "sync" -> BatchNorm.Mode.SYNC;
            case "frozen" -> BatchNorm.Mode.FROZEN;
            default -> throw new UsageException("--batchnorm must be sync or frozen");
        };
        BatchNorm.Backward backward = switch (a.get("batchnorm-backward", "exact")) {
            case "exact" -> BatchNorm.Backward.EXACT;
            case "darknet" -> BatchNorm.Backward.DARKNET;
            default -> throw new UsageException("--batchnorm-backward must be exact or darknet");
        };
        Model model = ModelBuilder.build(cfg, mode, backward, seed, new Shape(net.channels(), height, size));
        int classes = TrainableNetwork.detectionLoss(cfg, model).config().classes();
        TrainableNetwork.checkBatchNorm(cfg, model, mode, passImages);
        ImagesSeen seen = new ImagesSeen(0, updateBatch);
        if (a.has("weights")) {
            Path weights = Path.of(a.get("weights", ""));
            WeightsHeader header = DarknetWeights.read(weights, model.sections());
            if (!a.has("clear")) {
                seen = new ImagesSeen(header.seen(), updateBatch);
            }
            out.printf("starting from %s: %d images seen%s, so at batch number %d%n", weights, header.seen(),
                    a.has("clear") ? " cleared to 0 (--clear)" : "", seen.batchNumber(0));
        } else if (a.has("clear")) {
            throw new UsageException("--clear needs --weights: without them training starts from 0 anyway");
        }
        if (net.maxBatches() > 0 && seen.batchNumber(iterations) > net.maxBatches()) {
            out.printf("note: the run ends at batch number %d, past %s's max_batches=%d (where Darknet would stop)%n",
                    seen.batchNumber(iterations), cfg.file(), net.maxBatches());
        }
        HadoopFiles files = HadoopFiles.withDefaultConfiguration();
        int generated = Math.min(classes, ShapeKind.values().length);
        Path dataPath = Path.of(a.get("data", "target/shapes-" + generated + "/" + ShapesWriter.DATA_FILE));
        if (!a.has("data") && !Files.exists(dataPath)) {
            out.println("generating the synthetic shapes set (" + generated + " classes) in " + dataPath.getParent() + " ...");
            ShapesWriter.write(dataPath.getParent(), 1000, Math.max(size, height), generated, seed);
        }
        DataFile dataFile = DataFile.read(files, new org.apache.hadoop.fs.Path(dataPath.toAbsolutePath().toUri()));
        Dataset dataset = Dataset.train(files, dataFile);
        Dataset valid = validateEvery > 0 ? Dataset.valid(files, dataFile) : null;
        if (dataset.classes() > classes) {
            throw new UsageException(dataPath + " has " + dataset.classes() + " classes but " + cfg.file()
                    + " detects " + classes);
        }
        BatchSchedule schedule = BatchSchedule.training(dataset, Augmentation.of(cfg, size, height), seed, passImages);
        TileCrop images = new TileCrop(files, schedule);
        BatchTruth truths = new BatchTruth(files, schedule);

        Grid grid = Grid.parse(a.get("tiles", "1x1"));
        TrainingPlan plan = null;
        if (grid.tiles() > 1 || a.has("groups")) {
            Grouping grouping = a.has("groups") ? Grouping.parse(a.get("groups", ""))
                    : Grouping.single(TrainingPlan.longestTileablePrefix(model.network()));
            plan = TrainingPlan.of(model.network(), grouping, grid);
        }
        double haloMb = plan == null ? 0 : PlanTable.haloBytesPerImage(plan) * (double) updateBatch / 1e6;
        Sgd sgd = new Sgd(net.learningRate(), net.momentum(), net.decay(), updateBatch);
        ModelOptimizer optimizer = new ModelOptimizer(model, sgd);
        String layout = plan == null ? "untiled" : "tiles " + grid + " groups " + plan.grouping();
        out.printf("training %s at %dx%d: %d images (%d classes), batch %d in %d pass(es), %s, batchnorm %s%n",
                cfg.file(), size, height, dataset.size(), dataset.classes(), updateBatch, subdivisions, layout,
                mode.name().toLowerCase() + (backward == BatchNorm.Backward.DARKNET ? " (darknet backward)" : ""));

        InProcessRunner runner = plan == null ? null : new InProcessRunner(plan, Runtime.getRuntime().availableProcessors());
        IterationStep step = new IterationStep(optimizer, updateBatch, 0, iterations);
        HeapPeak heap = new HeapPeak();
        try (RunFiles run = RunFiles.create(HadoopLocation.of(a.get("out", "target/train")),
                plan == null ? layout + "\n" : PlanTable.describe(plan, passImages, Optional.empty()))) {
            OptionalDouble latestMap = OptionalDouble.empty();
            for (int it = 0; it < iterations; it++) {
                long start = System.nanoTime();
                heap.reset();
                float[] gradient = null;
                float cost = 0;
                for (int sub = 0; sub < subdivisions; sub++) {
                    long pass = (long) it * subdivisions + sub;
                    long seenNow = seen.duringPass(pass, passImages);
                    Tensor x = images.batch(pass);
                    BackwardStart truth = new BackwardStart.Loss(truths.truth(pass));
                    StepResult r = runner == null
                            ? Backprop.run(model.network(), x, truth, new WholeMapPass(true, seed + pass, seenNow))
                            : runner.run(x, truth, true, seed + pass, seenNow);
                    IterationStep.updateRolling(r.statistics());
                    gradient = IterationStep.add(gradient, model.layout().flatten(r.gradients()::get));
                    cost += r.cost();
                }
                int n = it + 1;
                IterationStep.requireFinite(n, cost,
                        () -> "the checkpoints written so far are in " + a.get("out", "target/train"));
                step.update(seen.batchNumber(n), gradient);
                double seconds = (System.nanoTime() - start) / 1e9;
                OptionalDouble map = OptionalDouble.empty();
                if (valid != null && (n % validateEvery == 0 || n == iterations)) {
                    long begin = System.nanoTime();
                    MeanAveragePrecision m = Validation.map(model, files, valid);
                    map = OptionalDouble.of(m.value());
                    latestMap = map;
                    out.printf("validation after iteration %d (%.1f s):%n%s", n, (System.nanoTime() - begin) / 1e9,
                            m.table());
                }
                out.println(step.line(n, cost, seconds, haloMb, latestMap));
                run.iteration(new TrainingCsv.Row(n, step.loss(), step.averageLoss(), step.learningRate(seen.batchNumber(n)),
                        step.imagesPerSecond(), haloMb, map, Math.round(seconds * 1000), heap.megabytes()));
                if (every > 0 && n % every == 0) {
                    run.checkpoint(n, seen.after(n), model);
                }
            }
            out.println("wrote " + run.finish(seen.after(iterations), model));
            out.println("report " + run.report());
            if (latestMap.isPresent()) {
                out.printf("mAP@0.5 %.4f on %s%n", latestMap.getAsDouble(), dataFile.valid());
            }
        } finally {
            if (runner != null) {
                runner.close();
            }
        }
        return 0;
    }
}
