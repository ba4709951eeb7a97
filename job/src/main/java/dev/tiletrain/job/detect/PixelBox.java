package dev.tiletrain.job.detect;

/**
 * A box by its corners in PASCAL VOC's pixel convention (1-based, both corners inside the box), as
 * Darknet's {@code print_detector_detections} writes detections and VOC's annotations hold objects.
 */
public record PixelBox(double xmin, double ymin, double xmax, double ymax) {

    /**
     * A YOLO label's box (centre and size relative to the image) in VOC pixels: the inverse of Darknet's
     * {@code voc_label.py}, which writes {@code x = ((xmin + xmax)/2 − 1)/W} and {@code w = (xmax − xmin)/W}.
     */
    public static PixelBox ofLabel(float x, float y, float w, float h, int imageWidth, int imageHeight) {
        return new PixelBox((x - w / 2.) * imageWidth + 1, (y - h / 2.) * imageHeight + 1,
                (x + w / 2.) * imageWidth + 1, (y + h / 2.) * imageHeight + 1);
    }

    /**
     * A detection's box (centre and size in pixels, {@code correct_region_boxes} with relative 0) as
     * {@code print_detector_detections} writes it: shifted to 1-based, clipped to [1, W] × [1, H], each corner
     * rounded to float.
     */
    public static PixelBox ofDetection(float x, float y, float w, float h, int imageWidth, int imageHeight) {
        float xmin = (float) (x - w / 2. + 1), xmax = (float) (x + w / 2. + 1);
        float ymin = (float) (y - h / 2. + 1), ymax = (float) (y + h / 2. + 1);
        return new PixelBox(Math.max(xmin, 1), Math.max(ymin, 1), Math.min(xmax, imageWidth),
                Math.min(ymax, imageHeight));
    }

    /** voc_eval's overlap: intersection over union of pixel counts, each side counting {@code max − min + 1}. */
    public double iou(PixelBox o) {
        double iw = Math.max(Math.min(xmax, o.xmax) - Math.max(xmin, o.xmin) + 1., 0.);
        double ih = Math.max(Math.min(ymax, o.ymax) - Math.max(ymin, o.ymin) + 1., 0.);
        double inters = iw * ih;
        double union = (o.xmax - o.xmin + 1.) * (o.ymax - o.ymin + 1.) + (xmax - xmin + 1.) * (ymax - ymin + 1.)
                - inters;
        return inters / union;
    }
}
