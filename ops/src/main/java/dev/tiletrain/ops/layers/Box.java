package dev.tiletrain.ops.layers;

/**
 * A box by centre and size, as Darknet's {@code box} (box.c), with its overlap arithmetic in float and in
 * Darknet's order so that IoUs, and the assignments they decide, agree with Darknet's.
 */
public record Box(float x, float y, float w, float h) {

    /** Darknet's {@code box_iou}: intersection over union, a plain division as in pjreddie's box.c. */
    public float iou(Box o) {
        float i = intersection(o);
        float u = w * h + o.w * o.h - i;
        return i / u;
    }

    private float intersection(Box o) {
        float ow = overlap(x, w, o.x, o.w);
        float oh = overlap(y, h, o.y, o.h);
        return ow < 0 || oh < 0 ? 0 : ow * oh;
    }

    private static float overlap(float x1, float w1, float x2, float w2) {
        float l1 = x1 - w1 / 2, l2 = x2 - w2 / 2;
        float r1 = x1 + w1 / 2, r2 = x2 + w2 / 2;
        float left = l1 > l2 ? l1 : l2;
        float right = r1 < r2 ? r1 : r2;
        return right - left;
    }
}
