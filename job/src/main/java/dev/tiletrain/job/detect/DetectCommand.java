package dev.tiletrain.job.detect;

import dev.tiletrain.data.DataException;
import dev.tiletrain.data.DataFile;
import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.job.cli.HadoopLocation;
import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.weights.WeightsFormatException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.apache.hadoop.fs.FileSystem;

/**
 * {@code tiletrain detect}: Darknet's {@code detector test} on images: prints each detection and writes
 * {@code IMAGE.predictions.png} beside the image with the boxes and labels drawn.
 */
public final class DetectCommand {
    private static final String USAGE = """
            Usage: tiletrain detect --cfg NET.cfg --weights W.weights [--data D.data] [--size S] [--thresh 0.25] IMAGE...

            Runs the detector on each image as Darknet's detector test does (letterboxed, rolling batch-norm
            statistics, per-class NMS at 0.45), prints every detection above the threshold (class, probability,
            box in pixels: left, top, right, bottom) and writes IMAGE.predictions.png beside the image with the
            boxes drawn in Darknet's class colours and labelled. Images are read and written through the Hadoop
            FileSystem (local paths or URIs).

              --cfg NET.cfg      the network
              --weights W        its weights (Darknet's .weights format)
              --data D.data      class names from its names= file (default: class0, class1, ...)
              --size S           network input S×S (default: the cfg's width × height)
              --thresh P         show detections of probability above P (default 0.25)
            """;

    private DetectCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Arguments a = Arguments.parseWithOperands(args, Set.of("cfg", "weights", "data", "size", "thresh"));
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            if (a.operands().isEmpty()) {
                throw new UsageException("no IMAGE given");
            }
            Model model = Detector.load(Path.of(a.required("cfg")), Path.of(a.required("weights")), MapCommand.size(a));
            float thresh = (float) a.number("thresh", .25, 0, 1);
            HadoopFiles files = HadoopFiles.withDefaultConfiguration();
            Detector detector = new Detector(model);
            List<String> names = a.has("data")
                    ? DataFile.read(files, HadoopLocation.of(a.get("data", ""))).classNames(files)
                    : List.of();
            List<String> all = new ArrayList<>(names);
            IntStream.range(all.size(), detector.classes()).forEach(c -> all.add("class" + c));
            for (String image : a.operands()) {
                long start = System.nanoTime();
                Detector.Found f = detector.detect(files, List.of(HadoopLocation.of(image)), thresh, true).get(0);
                List<LabelledBox> boxes = LabelledBox.of(f.detections(), f.width(), f.height(), thresh);
                out.printf(Locale.ROOT, "%s: Predicted in %.3f seconds, %d detections.%n", image,
                        (System.nanoTime() - start) / 1e9, boxes.size());
                for (LabelledBox b : boxes) {
                    for (int k = 0; k < b.classes().size(); k++) {
                        out.printf(Locale.ROOT, "%s: %.0f%%  box %d %d %d %d%n", all.get(b.classes().get(k)),
                                b.probabilities().get(k) * 100, b.left(), b.top(), b.right(), b.bottom());
                    }
                }
                org.apache.hadoop.fs.Path written = writePredictions(files, f.image(), boxes, all, detector.classes());
                out.println("wrote " + written);
            }
            return 0;
        } catch (UsageException | CfgException | IllegalArgumentException e) {
            err.println("detect: " + e.getMessage());
            err.println("Try 'tiletrain detect --help'.");
            return 2;
        } catch (DataException | WeightsFormatException e) {
            err.println("detect: " + e.getMessage());
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("detect: " + e);
            return 1;
        }
    }

    /** Writes {@code IMAGE.predictions.png} beside the image; returns its path. */
    static org.apache.hadoop.fs.Path writePredictions(HadoopFiles files, org.apache.hadoop.fs.Path image,
            List<LabelledBox> boxes, List<String> names, int classes) throws IOException {
        return writePredictions(files, image, boxes, names, classes, image.suffix(".predictions.png"));
    }

    /**
     * The detections of {@code detector} on {@code image} above Darknet's 0.25, drawn into {@code target}
     * (a training run's picture of what it learnt); returns how many boxes were drawn.
     */
    public static int writePredictions(Detector detector, HadoopFiles files, org.apache.hadoop.fs.Path image,
            List<String> names, org.apache.hadoop.fs.Path target) throws IOException {
        float thresh = .25f;
        Detector.Found f = detector.detect(files, List.of(image), thresh, true).get(0);
        List<LabelledBox> boxes = LabelledBox.of(f.detections(), f.width(), f.height(), thresh);
        writePredictions(files, image, boxes, names, detector.classes(), target);
        return boxes.size();
    }

    private static org.apache.hadoop.fs.Path writePredictions(HadoopFiles files, org.apache.hadoop.fs.Path image,
            List<LabelledBox> boxes, List<String> names, int classes, org.apache.hadoop.fs.Path target)
            throws IOException {
        BufferedImage original;
        try (InputStream in = files.open(image)) {
            original = ImageIO.read(in);
        }
        if (original == null) {
            throw new DataException(image, "cannot decode for drawing");
        }
        FileSystem fs = target.getFileSystem(files.configuration());
        try (OutputStream o = fs.create(target, true)) {
            ImageIO.write(PredictionsImage.draw(original, boxes, names, classes), "png", o);
        }
        return target;
    }
}
