package dev.tiletrain.job.detect;

import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.data.ImageFile;
import dev.tiletrain.data.Preprocess;
import dev.tiletrain.data.Transform;
import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.cfg.NetConfig;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Region;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.ops.weights.DarknetWeights;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.apache.hadoop.fs.Path;

/**
 * Darknet's inference for a detector ending in {@code [region]}, as {@code validate_detector} and
 * {@code test_detector} run it: each image letterboxed to the network input, a forward pass in test mode
 * (batch norm with its rolling statistics), the region layer's detections ({@code get_region_detections})
 * with boxes moved back onto the image ({@code correct_region_boxes}), then {@code do_nms_sort} at
 * {@link RegionBoxes#NMS}. Images go through the network a few at a time.
 */
public final class Detector {
    /** Images per forward pass: enough to feed the matrix products, few enough to keep the activations small. */
    private static final int BATCH = 4;

    private final Model model;
    private final Region region;

    public Detector(Model model) {
        this.model = model;
        this.region = region(model);
    }

    /**
     * The network of {@code cfg} at its own input size, or {@code size × size} when given (a fully convolutional
     * net takes any multiple of its stride), with the weights of {@code weights}.
     */
    public static Model load(java.nio.file.Path cfg, java.nio.file.Path weights, OptionalInt size) throws IOException {
        Cfg parsed = CfgParser.parse(cfg);
        NetConfig net = NetConfig.of(parsed);
        Shape input = new Shape(net.channels(), size.orElse(net.height()), size.orElse(net.width()));
        Model model = ModelBuilder.build(parsed, BatchNorm.Mode.SYNC, 0, input);
        DarknetWeights.read(weights, model.sections());
        return model;
    }

    /** The model's final {@code [region]} layer; a clear error for a network that is not a YOLOv2 detector. */
    public static Region region(Model model) {
        var blocks = model.network().blocks();
        if (blocks.get(blocks.size() - 1).loss() instanceof Region r) {
            return r;
        }
        throw new IllegalArgumentException(model.name() + " does not end in a [region] layer: it is not a detector");
    }

    public int classes() {
        return region.config().classes();
    }

    /**
     * An image and its detections in Darknet's order after suppression, those with some class probability
     * above the threshold only; boxes relative to the image, or in pixels when not {@code relative}.
     */
    public record Found(Path image, int width, int height, List<Region.Detection> detections) {}

    /** Detects in every image of {@code images}, in order. */
    public List<Found> detect(HadoopFiles files, List<Path> images, float thresh, boolean relative) {
        Network net = model.network();
        int c = net.input().c(), h = net.input().h(), w = net.input().w();
        List<Found> found = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += BATCH) {
            List<Path> chunk = images.subList(from, Math.min(images.size(), from + BATCH));
            Tensor x = Tensor.zeros(chunk.size(), net.input());
            int[][] sizes = new int[chunk.size()][];
            for (int b = 0; b < chunk.size(); b++) {
                sizes[b] = letterbox(files, chunk.get(b), net.input(), x.data, b * c * h * w);
            }
            Tensor out = net.forward(x, new WholeMapPass(false, 0)).output(net.blocks().size() - 1);
            for (int b = 0; b < chunk.size(); b++) {
                List<Region.Detection> dets = RegionBoxes.corrected(region.detections(out, b, thresh), sizes[b][0],
                        sizes[b][1], w, h, relative);
                List<Region.Detection> kept = new ArrayList<>();
                for (Region.Detection d : RegionBoxes.nmsSort(dets, classes(), RegionBoxes.NMS)) {
                    if (anyProbability(d)) {
                        kept.add(d);
                    }
                }
                found.add(new Found(chunk.get(b), sizes[b][0], sizes[b][1], List.copyOf(kept)));
            }
        }
        return found;
    }

    /**
     * Darknet's {@code letterbox_image} of {@code image} to the network input, its three planes written into
     * {@code out} from {@code offset}; returns the original image's width and height.
     */
    static int[] letterbox(HadoopFiles files, Path image, Shape input, float[] out, int offset) {
        try (ImageFile file = ImageFile.open(files, image)) {
            Transform t = Transform.letterbox(input.w(), input.h(), file.width(), file.height());
            Preprocess.render(file.readAll(), t, input.full(), out, offset);
            return new int[] {file.width(), file.height()};
        }
    }

    private static boolean anyProbability(Region.Detection d) {
        for (float p : d.probabilities()) {
            if (p != 0) {
                return true;
            }
        }
        return false;
    }
}
