package dev.tiletrain.job.detect;

import dev.tiletrain.ops.layers.Box;
import dev.tiletrain.ops.layers.Region;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Darknet's post-processing of a {@code [region]} layer's detections, in its float and double arithmetic:
 * {@code correct_region_boxes} (undo the letterbox) and {@code do_nms_sort} (per-class non-maximum
 * suppression).
 */
public final class RegionBoxes {
    /** The overlap above which {@code do_nms_sort} suppresses the lower box, as Darknet's detectors use it. */
    public static final float NMS = .45f;

    private RegionBoxes() {}

    /**
     * {@code correct_region_boxes}: boxes relative to the letterboxed network input of {@code netWidth ×
     * netHeight} become relative to the original {@code width × height} image, or (not {@code relative}) pixels.
     */
    public static List<Region.Detection> corrected(List<Region.Detection> dets, int width, int height, int netWidth,
            int netHeight, boolean relative) {
        int newW, newH;
        if (((float) netWidth / width) < ((float) netHeight / height)) {
            newW = netWidth;
            newH = (height * netWidth) / width;
        } else {
            newH = netHeight;
            newW = (width * netHeight) / height;
        }
        List<Region.Detection> out = new ArrayList<>(dets.size());
        for (Region.Detection d : dets) {
            Box b = d.box();
            float x = (float) ((b.x() - (netWidth - newW) / 2. / netWidth) / ((float) newW / netWidth));
            float y = (float) ((b.y() - (netHeight - newH) / 2. / netHeight) / ((float) newH / netHeight));
            float w = b.w() * ((float) netWidth / newW);
            float h = b.h() * ((float) netHeight / newH);
            if (!relative) {
                x *= width;
                w *= width;
                y *= height;
                h *= height;
            }
            out.add(new Region.Detection(new Box(x, y, w, h), d.objectness(), d.probabilities().clone()));
        }
        return out;
    }

    /**
     * {@code do_nms_sort}: detections without objectness moved to the end (Darknet's swap loop), then per class
     * the rest sorted by that class's probability, highest first, and every lower box overlapping a kept one by
     * more than {@code thresh} loses that class. Returns the detections in Darknet's final order, with their
     * probabilities zeroed where suppressed (copies; the input is unchanged). C's {@code qsort} leaves the order
     * of equal probabilities open; this sort keeps it.
     */
    public static List<Region.Detection> nmsSort(List<Region.Detection> dets, int classes, float thresh) {
        Region.Detection[] d = dets.stream()
                .map(x -> new Region.Detection(x.box(), x.objectness(), x.probabilities().clone()))
                .toArray(Region.Detection[]::new);
        int k = d.length - 1;
        for (int i = 0; i <= k; ++i) {
            if (d[i].objectness() == 0) {
                Region.Detection swap = d[i];
                d[i] = d[k];
                d[k] = swap;
                --k;
                --i;
            }
        }
        int total = k + 1;
        for (int c = 0; c < classes; c++) {
            int cls = c;
            Arrays.sort(d, 0, total, Comparator.comparingDouble((Region.Detection x) -> x.probabilities()[cls]).reversed());
            for (int i = 0; i < total; i++) {
                if (d[i].probabilities()[c] == 0) {
                    continue;
                }
                Box a = d[i].box();
                for (int j = i + 1; j < total; j++) {
                    if (a.iou(d[j].box()) > thresh) {
                        d[j].probabilities()[c] = 0;
                    }
                }
            }
        }
        return List.of(d);
    }
}
