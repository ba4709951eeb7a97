package dev.tiletrain.job.local;

import dev.tiletrain.data.Augmentation;
import dev.tiletrain.data.BatchSchedule;
import dev.tiletrain.data.BatchTruth;
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
import dev.tiletrain.job.train.PlanTable;
import dev.tiletrain.job.train.TrainSetup;
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
import dev.tiletrain.ops.net.Backprop;
import dev.tiletrain.ops.net.OutputSeed;
import dev.tiletrain.ops.net.StepResult;
import dev.tiletrain.ops.optim.Sgd;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import dev.tiletrain.tiles.InProcessRunner;
import dev.tiletrain.tiles.TrainingPlan;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
            Usage: tiletrain train [--cfg NET.cfg] [--data D.data] [--weights W.weights] [--size S] [--batch B]
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
              --batch B            images per forward/backward pass (default: the cfg's batch/subdivisions)
              --subdivisions K     passes per weight update, gradients summed (default: the cfg's)
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
                    "validate-every"));
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            return train(a, out);
        } catch (UsageException | CfgException | IllegalArgumentException e) {
            err.println("train: " + e.getMessage());
            err.println("Try 'tiletrain train --help'.");
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("train: " + e);
            return 1;
        }
    }

    private static int train(Arguments a, PrintStream out) throws UsageException, IOException {
        Cfg cfg = CfgParser.parse(Path.of(a.get("cfg", "conf/yolov2-tiny-voc.cfg")));
        NetConfig net = NetConfig.of(cfg);
        int size = a.integer("size", net.width(), 32, 4096);
        int height = a.has("size") ? size : net.height();
        int batch = a.integer("batch", net.miniBatch(), 1, 4096);
        int subdivisions = a.integer("subdivisions", net.subdivisions(), 1, 4096);
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
        if (a.has("weights")) {
            DarknetWeights.read(Path.of(a.get("weights", "")), model.sections());
        }
        int classes = TrainSetup.classes(model);
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
        BatchSchedule schedule = BatchSchedule.training(dataset, Augmentation.of(cfg, size, height), seed, batch);
        TileCrop images = new TileCrop(files, schedule);
        BatchTruth truths = new BatchTruth(files, schedule);

        Grid grid = Grid.parse(a.get("tiles", "1x1"));
        TrainingPlan plan = null;
        if (grid.tiles() > 1 || a.has("groups")) {
            Grouping grouping = a.has("groups") ? Grouping.parse(a.get("groups", ""))
                    : Grouping.single(TrainingPlan.longestTileablePrefix(model.network()));
            plan = TrainingPlan.of(model.network(), grouping, grid);
        }
        double haloMb = plan == null ? 0 : PlanTable.haloBytesPerImage(plan) * (double) batch * subdivisions / 1e6;
        int updateBatch = batch * subdivisions;
        Sgd sgd = new Sgd(net.learningRate(), net.momentum(), net.decay(), updateBatch);
        ModelOptimizer optimizer = new ModelOptimizer(model, sgd);
        String layout = plan == null ? "untiled" : "tiles " + grid + " groups " + TrainSetup.groups(plan);
        out.printf("training %s at %dx%d: %d images (%d classes), batch %d x %d subdivisions, %s, batchnorm %s%n",
                cfg.file(), size, height, dataset.size(), dataset.classes(), batch, subdivisions, layout,
                mode.name().toLowerCase() + (backward == BatchNorm.Backward.DARKNET ? " (darknet backward)" : ""));

        InProcessRunner runner = plan == null ? null : new InProcessRunner(plan, Runtime.getRuntime().availableProcessors());
        HeapPeak heap = new HeapPeak();
        try (RunFiles run = RunFiles.create(HadoopLocation.of(a.get("out", "target/train")),
                plan == null ? layout + "\n" : PlanTable.describe(plan, batch, Optional.empty()))) {
            double average = -1, elapsed = 0;
            OptionalDouble latestMap = OptionalDouble.empty();
            for (int it = 0; it < iterations; it++) {
                long start = System.nanoTime();
                heap.reset();
                StepResult total = null;
                float cost = 0;
                for (int sub = 0; sub < subdivisions; sub++) {
                    long pass = (long) it * subdivisions + sub;
                    long seen = (pass + 1) * batch;
                    Tensor x = images.batch(pass);
                    OutputSeed truth = new OutputSeed.Loss(truths.truth(pass));
                    StepResult r = runner == null
                            ? Backprop.run(model.network(), x, truth, new WholeMapPass(true, seed + pass, seen))
                            : runner.run(x, truth, true, seed + pass, seen);
                    // Darknet updates the rolling statistics at every forward, the weights once per batch.
                    for (Map.Entry<BatchNorm, BatchNorm.Stats> e : r.statistics().entrySet()) {
                        e.getKey().updateRolling(e.getValue());
                    }
                    cost += r.cost();
                    total = total == null ? r : sum(total, r);
                }
                optimizer.apply(new StepResult(cost, null, null, total.gradients(), Map.of()), it + 1);
                double seconds = (System.nanoTime() - start) / 1e9;
                elapsed += seconds;
                float loss = cost / updateBatch;
                average = average < 0 ? loss : average * .9 + loss * .1;
                int n = it + 1;
                OptionalDouble map = OptionalDouble.empty();
                if (valid != null && (n % validateEvery == 0 || n == iterations)) {
                    long begin = System.nanoTime();
                    MeanAveragePrecision m = Validation.map(model, files, valid);
                    map = OptionalDouble.of(m.value());
                    latestMap = map;
                    out.printf("validation after iteration %d (%.1f s):%n%s", n, (System.nanoTime() - begin) / 1e9,
                            m.table());
                }
                double eta = elapsed / n * (iterations - n);
                out.printf("iter %d/%d loss %.3f avg %.3f images/s %.2f halo %.2f MB ETA %s%s%n", n, iterations,
                        loss, average, updateBatch / seconds, haloMb, Eta.format(eta),
                        latestMap.isPresent() ? String.format(" mAP %.4f", latestMap.getAsDouble()) : "");
                run.iteration(new TrainingCsv.Row(n, loss, average, sgd.learningRate().at(n), updateBatch / seconds,
                        haloMb, map, Math.round(seconds * 1000), heap.megabytes()));
                if (every > 0 && n % every == 0) {
                    run.checkpoint(n, (long) n * updateBatch, model);
                }
            }
            out.println("wrote " + run.finish((long) iterations * updateBatch, model));
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

    /** Gradients of two passes added (the first result's arrays are reused). */
    private static StepResult sum(StepResult a, StepResult b) {
        Map<Param, float[]> g = new IdentityHashMap<>(a.gradients());
        for (Map.Entry<Param, float[]> e : b.gradients().entrySet()) {
            float[] s = g.get(e.getKey());
            if (s == null) {
                g.put(e.getKey(), e.getValue());
            } else {
                float[] v = e.getValue();
                for (int i = 0; i < s.length; i++) {
                    s[i] += v[i];
                }
            }
        }
        return new StepResult(0, null, null, g, Map.of());
    }
}
