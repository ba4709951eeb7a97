package dev.tiletrain.job.detect;

import dev.tiletrain.ops.layers.Box;
import dev.tiletrain.ops.layers.Region;
import java.util.ArrayList;
import java.util.List;

/**
 * One detection as Darknet's {@code draw_detections} shows it: the classes above the threshold (in class
 * order; the first names the colour) with their probabilities, and the box in whole pixels of the image,
 * clipped to it.
 */
public record LabelledBox(List<Integer> classes, List<Float> probabilities, int left, int top, int right, int bottom) {
    public LabelledBox {
        classes = List.copyOf(classes);
        probabilities = List.copyOf(probabilities);
    }

    /** The detections (boxes relative to the image) that have a class above {@code thresh}, in their order. */
    public static List<LabelledBox> of(List<Region.Detection> detections, int width, int height, float thresh) {
        List<LabelledBox> out = new ArrayList<>();
        for (Region.Detection d : detections) {
            List<Integer> classes = new ArrayList<>();
            List<Float> probabilities = new ArrayList<>();
            for (int j = 0; j < d.probabilities().length; j++) {
                if (d.probabilities()[j] > thresh) {
                    classes.add(j);
                    probabilities.add(d.probabilities()[j]);
                }
            }
            if (classes.isEmpty()) {
                continue;
            }
            Box b = d.box();
            int left = (int) ((b.x() - b.w() / 2.) * width), right = (int) ((b.x() + b.w() / 2.) * width);
            int top = (int) ((b.y() - b.h() / 2.) * height), bottom = (int) ((b.y() + b.h() / 2.) * height);
            out.add(new LabelledBox(classes, probabilities, Math.max(left, 0), Math.max(top, 0),
                    Math.min(right, width - 1), Math.min(bottom, height - 1)));
        }
        return out;
    }

    /** Darknet's label: the class names joined by ", ". */
    public String label(List<String> names) {
        return String.join(", ", classes.stream().map(names::get).toList());
    }
}
