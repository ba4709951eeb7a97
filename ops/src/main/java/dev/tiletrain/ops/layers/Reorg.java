package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;

/**
 * Darknet's {@code [reorg]} with {@code reverse=0}, as in yolov2-voc.cfg: c×h×w → (c·s²)×(h/s)×(w/s).
 *
 * <p>pjreddie's {@code forward_reorg_layer} calls {@code reorg_cpu(input, l.w, l.h, l.c, batch, s, 0, output)}
 * with the <em>input's</em> dimensions and {@code forward=0}. That loop reads the input as a
 * (c/s²)×(h·s)×(w·s) map and writes a c×h×w layout, which the next layer then reads as (c·s²)×(h/s)×(w/s):
 * not the space-to-depth the YOLOv2 paper describes, but the permutation yolov2-voc.weights were trained
 * with (AlexeyAB's fork keeps it as {@code [reorg]} and calls the corrected one {@code [reorg3d]}). This
 * class copies that index order exactly; the backward is its transpose ({@code reorg_cpu(..., 1, ...)}).
 */
public final class Reorg implements UntiledLayer {
    private final Shape in;
    private final Shape out;
    private final int stride;

    public Reorg(Shape in, int stride) {
        if (stride < 1) {
            throw new IllegalArgumentException("reorg stride must be ≥ 1, got " + stride);
        }
        if (in.h() % stride != 0 || in.w() % stride != 0) {
            throw new IllegalArgumentException("reorg /" + stride + " needs the input's height and width to be "
                    + "multiples of the stride, got " + in);
        }
        if (in.c() % (stride * stride) != 0) {
            throw new IllegalArgumentException("reorg /" + stride + " needs the input's channels (" + in.c()
                    + ") to be a multiple of stride² = " + stride * stride + ": Darknet's reorg_cpu divides them");
        }
        this.in = in;
        this.stride = stride;
        this.out = new Shape(in.c() * stride * stride, in.h() / stride, in.w() / stride);
    }

    @Override
    public Shape inputShape() {
        return in;
    }

    @Override
    public Shape outputShape() {
        return out;
    }

    @Override
    public Tensor forward(Tensor x, Rect o, Pass pass) {
        requireWholeMaps(x, o);
        Tensor y = Tensor.zeros(x.n, out);
        int[] source = sourceIndex();
        for (int b = 0; b < x.n; b++) {
            int base = b * source.length;
            for (int i = 0; i < source.length; i++) {
                y.data[base + i] = x.data[base + source[i]];
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        requireWholeGradient(x, dy);
        Tensor dx = Tensor.zeros(x.n, in);
        int[] source = sourceIndex();
        for (int b = 0; b < x.n; b++) {
            int base = b * source.length;
            for (int i = 0; i < source.length; i++) {
                dx.data[base + source[i]] = dy.data[base + i];
            }
        }
        return dx;
    }

    /**
     * For each flat output index of one image, the flat input index it copies: Darknet's reorg_cpu with
     * w, h, c the input's dimensions, where its {@code in_index} is the output's and its {@code out_index}
     * the input's (forward=0 copies {@code out[in_index] = x[out_index]}).
     */
    private int[] sourceIndex() {
        int w = in.w(), h = in.h(), c = in.c(), s = stride, outC = c / (s * s);
        int[] source = new int[in.size()];
        for (int k = 0; k < c; k++) {
            for (int j = 0; j < h; j++) {
                for (int i = 0; i < w; i++) {
                    int c2 = k % outC, offset = k / outC;
                    int w2 = i * s + offset % s, h2 = j * s + offset / s;
                    source[i + w * (j + h * k)] = w2 + w * s * (h2 + h * s * c2);
                }
            }
        }
        return source;
    }

    @Override
    public String describe() {
        return "reorg /" + stride + " " + in + " -> " + out;
    }
}
