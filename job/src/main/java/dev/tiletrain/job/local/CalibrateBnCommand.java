package dev.tiletrain.job.local;

import dev.tiletrain.data.Augmentation;
import dev.tiletrain.data.BatchSchedule;
import dev.tiletrain.data.DataException;
import dev.tiletrain.data.DataFile;
import dev.tiletrain.data.Dataset;
import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.data.TileCrop;
import dev.tiletrain.job.checkpoint.ReplacedFile;
import dev.tiletrain.job.cli.HadoopLocation;
import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.cfg.NetConfig;
import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.net.BatchNormCalibration;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.WeightsFormatException;
import dev.tiletrain.ops.weights.WeightsHeader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code tiletrain calibrate-bn}: weights whose batch norms carry the statistics of training images, so that
 * frozen batch norm ({@code spark.tiletrain.batchnorm=frozen}, {@code train --batchnorm frozen}) can train from
 * them; see {@link BatchNormCalibration}.
 */
public final class CalibrateBnCommand {
    private static final String USAGE = """
            Usage: tiletrain calibrate-bn --cfg NET.cfg --data D.data --out W.weights [--weights W0.weights]
                                          [--size S] [--images N] [--batch B] [--seed K]

            Runs N training images (as training draws and augments them, in batches of B) forward through the
            network with batch statistics, and sets every batch norm's rolling mean and variance to the mean and
            unbiased variance of its input over all N images. Everything else is kept: the weights of W0, or
            Darknet's random initialization from --seed, and W0's count of images seen. Frozen batch norm needs
            this when the weights have no trained statistics: Darknet starts rolling variances at 0, and a frozen
            forward with them gives a loss that is not a number.

              --cfg NET.cfg    the network (built in sync mode for the pass; the weights file is the same)
              --data D.data    Darknet .data file whose train= list gives the images
              --out W          the weights written (Darknet's format; a local path or a Hadoop FileSystem URI;
                               written under a temporary name and renamed)
              --weights W0     weights to start from (default: Darknet's random initialization from --seed)
              --size S         network input S×S (default: the cfg's width × height)
              --images N       images to calibrate on, rounded up to whole batches (default 64)
              --batch B        images per forward (default 8; memory grows with it, the result barely does)
              --seed K         seed of the initialization and of the images' order (default 1, as train's)
            """;

    private CalibrateBnCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Arguments a = Arguments.parse(args, Set.of("cfg", "data", "out", "weights", "size", "images", "batch",
                    "seed"));
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            calibrate(a, out);
            return 0;
        } catch (UsageException | IllegalArgumentException e) {
            err.println("calibrate-bn: " + e.getMessage());
            err.println("Try 'tiletrain calibrate-bn --help'.");
            return 2;
        } catch (CfgException | DataException | WeightsFormatException e) {
            err.println("calibrate-bn: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("calibrate-bn: " + e);
            return 1;
        }
    }

    private static void calibrate(Arguments a, PrintStream out) throws UsageException, IOException {
        Cfg cfg = CfgParser.parse(Path.of(a.required("cfg")));
        org.apache.hadoop.fs.Path data = HadoopLocation.of(a.required("data"));
        org.apache.hadoop.fs.Path target = HadoopLocation.of(a.required("out"));
        NetConfig net = NetConfig.of(cfg);
        int size = a.integer("size", net.width(), 32, 4096);
        int height = a.has("size") ? size : net.height();
        int images = a.integer("images", 64, 1, Integer.MAX_VALUE);
        int batch = a.integer("batch", 8, 1, 4096);
        long seed = a.longValue("seed", 1);
        Model model = ModelBuilder.build(cfg, BatchNorm.Mode.SYNC, seed, new Shape(net.channels(), height, size));
        WeightsHeader header = a.has("weights")
                ? DarknetWeights.read(Path.of(a.get("weights", "")), model.sections())
                : WeightsHeader.darknet(0);
        BatchNormCalibration calibration = new BatchNormCalibration(model.network());

        HadoopFiles files = HadoopFiles.withDefaultConfiguration();
        Dataset dataset = Dataset.train(files, DataFile.read(files, data));
        TileCrop crop = new TileCrop(files, BatchSchedule.training(dataset, Augmentation.of(cfg, size, height), seed,
                batch));
        int batches = (images + batch - 1) / batch;
        out.printf("calibrating %d batch norm(s) of %s at %dx%d on %d image(s) of %s, %d per forward%n",
                model.network().batchNorms().size(), cfg.file(), size, height, batches * batch, dataset.size(), batch);
        long start = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            calibration.add(crop.batch(b), seed + b);
            out.printf("  batch %d of %d (%.1f s)%n", b + 1, batches, (System.nanoTime() - start) / 1e9);
        }
        calibration.apply();
        ReplacedFile.write(target.getFileSystem(files.configuration()), target,
                o -> DarknetWeights.write(o, header, model.sections()));
        out.println("wrote " + target);
    }
}
