package dev.tiletrain.job.detect;

import dev.tiletrain.data.DataFile;
import dev.tiletrain.data.DataException;
import dev.tiletrain.data.Dataset;
import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.job.cli.HadoopLocation;
import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.weights.WeightsFormatException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Set;

/** {@code tiletrain map}: mean average precision of a detector on a {@code .data} file's validation list. */
public final class MapCommand {
    private static final String USAGE = """
            Usage: tiletrain map --cfg NET.cfg --weights W.weights --data D.data [--size S] [--iou 0.5] [--thresh 0.005]

            Runs the detector on every image of the .data file's valid= list as Darknet's validate_detector does
            (letterboxed, batch norm with the rolling statistics, region boxes, per-class NMS at 0.45), then
            scores the detections per class as PASCAL VOC's voc_eval (all-point interpolated AP; a detection
            matches a truth box of its class when their overlap is more than --iou, a second detection of the
            same box is a false positive). Prints per class AP, true and false positives and truth boxes, then
            the mAP: the mean over the classes that have truth boxes (a class with none has no AP).

              --cfg NET.cfg      the network
              --weights W        its weights (Darknet's .weights format)
              --data D.data      Darknet .data file: classes, valid (the image list) and names
              --size S           network input S×S (default: the cfg's width × height)
              --iou X            overlap needed for a match (default 0.5)
              --thresh P         keep detections of probability above P (default 0.005, as Darknet's valid)
            """;

    private MapCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Arguments a = Arguments.parse(args, Set.of("cfg", "weights", "data", "size", "iou", "thresh"));
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            Model model = Detector.load(Path.of(a.required("cfg")), Path.of(a.required("weights")), size(a));
            HadoopFiles files = HadoopFiles.withDefaultConfiguration();
            Dataset valid = Dataset.valid(files, DataFile.read(files, HadoopLocation.of(a.required("data"))));
            double iou = a.number("iou", Validation.IOU, 0, 1);
            float thresh = (float) a.number("thresh", Validation.THRESH, 0, 1);
            long start = System.nanoTime();
            MeanAveragePrecision map = Validation.map(model, files, valid, iou, thresh);
            out.print(map.table());
            out.printf("%d images at %dx%d in %.1f s%n", map.images(), model.network().input().w(),
                    model.network().input().h(), (System.nanoTime() - start) / 1e9);
            return 0;
        } catch (UsageException | CfgException | IllegalArgumentException e) {
            err.println("map: " + e.getMessage());
            err.println("Try 'tiletrain map --help'.");
            return 2;
        } catch (DataException | WeightsFormatException e) {
            err.println("map: " + e.getMessage());
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("map: " + e);
            return 1;
        }
    }

    /** {@code --size}: the input side, or empty for the cfg's own size. */
    static OptionalInt size(Arguments a) throws UsageException {
        return a.has("size") ? OptionalInt.of(a.integer("size", 0, 32, 4096)) : OptionalInt.empty();
    }
}
