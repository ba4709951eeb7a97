package dev.tiletrain.ops.layers;

import java.util.HashSet;
import java.util.Set;

/**
 * pjreddie/darknet src/region_layer.c, written out line by line over flat arrays as the C reads them
 * (entry_index, float_to_box, get_region_box, delta_region_box, delta_region_class; box_iou from box.c;
 * softmax_cpu from blas.c; logistic_activate/gradient from activations.h): forward_region_layer with
 * net.train = 1 and without the softmax_tree, map, background and coords > 4 branches, then
 * backward_region_layer_gpu. Nothing of {@link Region} is used. C's double subexpressions are kept as
 * double casts so that results agree to the bit.
 *
 * <p>Every write into l.delta also records what it pulls towards ({@link Write}), so that a test can
 * rebuild the loss whose negative gradient the deltas are, with targets and assignments held fixed.
 */
final class RegionTranscription {
    /** The loss term an entry of l.delta is the negative gradient of (after the GPU backward). */
    enum Term {
        /** Nothing wrote it, or Darknet wrote 0 (best_iou > thresh). */
        NONE,
        /** scale/2 · (target − σ(z))²: x, y, objectness. */
        LOGISTIC_SQUARE,
        /** scale/2 · (target − z)²: w, h. */
        RAW_SQUARE,
        /** −scale · log softmax(z)[class], written over the whole class block: softmax=1. */
        SOFTMAX_CROSS_ENTROPY,
        /** −scale · (t·log σ(z) + (1−t)·log(1−σ(z))): softmax=0 (logistic classes, no gradient multiply). */
        LOGISTIC_CROSS_ENTROPY
    }

    /** The last write into one entry of l.delta; {@code firstClass} locates the block of a class entry. */
    record Write(Term term, float target, float scale, int firstClass) {
        static final Write NONE = new Write(Term.NONE, 0, 0, -1);
    }

    // the fields of the layer that forward_region_layer reads
    final int batch, w, h, n, classes, coords = 4, outputs, truths;
    final float[] biases;
    final boolean softmax, rescore, biasMatch;
    final float thresh, objectScale, noobjectScale, classScale, coordScale;

    float[] output;
    float[] delta;
    float cost;
    Write[] writes;
    /** How often each branch ran: prediction overlapping a truth above thresh, anchor claimed twice, delta_region_class's tag. */
    int zeroedObjectness, reclaimed, tagged;

    RegionTranscription(Region.Config c, int batch, int h, int w) {
        this.batch = batch;
        this.w = w;
        this.h = h;
        this.n = c.n();
        this.classes = c.classes();
        this.outputs = h * w * n * (classes + coords + 1);
        this.truths = 30 * (coords + 1);
        this.biases = c.anchors();
        this.softmax = c.softmax();
        this.rescore = c.rescore();
        this.biasMatch = c.biasMatch();
        this.thresh = c.thresh();
        this.objectScale = c.objectScale();
        this.noobjectScale = c.noobjectScale();
        this.classScale = c.classScale();
        this.coordScale = c.coordScale();
    }

    int entry_index(int batch, int location, int entry) {
        int n = location / (w * h);
        int loc = location % (w * h);
        return batch * outputs + n * w * h * (coords + classes + 1) + entry * w * h + loc;
    }

    static float logistic_activate(float x) {
        return (float) (1. / (1. + Math.exp(-x)));
    }

    static float logistic_gradient(float x) {
        return (1 - x) * x;
    }

    // blas.c softmax with temp = 1
    static void softmax(float[] input, int in, int n, int stride, float[] output, int out) {
        float sum = 0;
        float largest = -Float.MAX_VALUE;
        for (int i = 0; i < n; ++i) {
            if (input[in + i * stride] > largest) largest = input[in + i * stride];
        }
        for (int i = 0; i < n; ++i) {
            float e = (float) Math.exp(input[in + i * stride] / 1f - largest / 1f);
            sum += e;
            output[out + i * stride] = e;
        }
        for (int i = 0; i < n; ++i) {
            output[out + i * stride] /= sum;
        }
    }

    // blas.c softmax_cpu
    static void softmax_cpu(float[] input, int index, int n, int batch, int batch_offset, int groups, int group_offset, int stride, float[] output) {
        for (int b = 0; b < batch; ++b) {
            for (int g = 0; g < groups; ++g) {
                softmax(input, index + b * batch_offset + g * group_offset, n, stride, output, index + b * batch_offset + g * group_offset);
            }
        }
    }

    // box.c: box is {x, y, w, h}
    static float overlap(float x1, float w1, float x2, float w2) {
        float l1 = x1 - w1 / 2;
        float l2 = x2 - w2 / 2;
        float left = l1 > l2 ? l1 : l2;
        float r1 = x1 + w1 / 2;
        float r2 = x2 + w2 / 2;
        float right = r1 < r2 ? r1 : r2;
        return right - left;
    }

    static float box_intersection(float[] a, float[] b) {
        float w = overlap(a[0], a[2], b[0], b[2]);
        float h = overlap(a[1], a[3], b[1], b[3]);
        if (w < 0 || h < 0) return 0;
        return w * h;
    }

    static float box_union(float[] a, float[] b) {
        float i = box_intersection(a, b);
        return a[2] * a[3] + b[2] * b[3] - i;
    }

    static float box_iou(float[] a, float[] b) {
        return box_intersection(a, b) / box_union(a, b);
    }

    static float[] float_to_box(float[] f, int at) {
        return new float[] {f[at], f[at + 1], f[at + 2], f[at + 3]};
    }

    float[] get_region_box(float[] x, int n, int index, int i, int j, int stride) {
        return new float[] {
            (i + x[index + 0 * stride]) / w,
            (j + x[index + 1 * stride]) / h,
            (float) (Math.exp(x[index + 2 * stride]) * biases[2 * n] / w),
            (float) (Math.exp(x[index + 3 * stride]) * biases[2 * n + 1] / h)};
    }

    float delta_region_box(float[] truth, float[] x, int n, int index, int i, int j, float scale, int stride) {
        float[] pred = get_region_box(x, n, index, i, j, stride);
        float iou = box_iou(pred, truth);

        float tx = (truth[0] * w - i);
        float ty = (truth[1] * h - j);
        float tw = (float) Math.log(truth[2] * w / biases[2 * n]);
        float th = (float) Math.log(truth[3] * h / biases[2 * n + 1]);

        set(index + 0 * stride, scale * (tx - x[index + 0 * stride]), new Write(Term.LOGISTIC_SQUARE, tx, scale, -1));
        set(index + 1 * stride, scale * (ty - x[index + 1 * stride]), new Write(Term.LOGISTIC_SQUARE, ty, scale, -1));
        set(index + 2 * stride, scale * (tw - x[index + 2 * stride]), new Write(Term.RAW_SQUARE, tw, scale, -1));
        set(index + 3 * stride, scale * (th - x[index + 3 * stride]), new Write(Term.RAW_SQUARE, th, scale, -1));
        return iou;
    }

    void delta_region_class(float[] output, int index, int cls, int classes, float scale, int stride, boolean tag) {
        Term term = softmax ? Term.SOFTMAX_CROSS_ENTROPY : Term.LOGISTIC_CROSS_ENTROPY;
        if (delta[index] != 0 && tag) {
            tagged++;
            set(index + stride * cls, scale * (1 - output[index + stride * cls]), new Write(term, 1, scale, index));
            return;
        }
        for (int n = 0; n < classes; ++n) {
            set(index + stride * n, scale * (((n == cls) ? 1 : 0) - output[index + stride * n]), new Write(term, n == cls ? 1 : 0, scale, index));
        }
    }

    private void set(int k, float value, Write write) {
        delta[k] = value;
        writes[k] = write;
    }

    static float mag_array(float[] a) {
        float sum = 0;
        for (float v : a) {
            sum += v * v;
        }
        return (float) Math.sqrt(sum);
    }

    /** forward_region_layer (train) then backward_region_layer_gpu: returns what is added into net.delta. */
    float[] run(float[] input, float[] truth, long seen) {
        output = input.clone(); // memcpy(l.output, net.input, ...)
        for (int b = 0; b < batch; ++b) {
            for (int n = 0; n < this.n; ++n) {
                int index = entry_index(b, n * w * h, 0);
                for (int k = 0; k < 2 * w * h; k++) output[index + k] = logistic_activate(output[index + k]);
                index = entry_index(b, n * w * h, coords);
                for (int k = 0; k < w * h; k++) output[index + k] = logistic_activate(output[index + k]);
                index = entry_index(b, n * w * h, coords + 1);
                if (!softmax) for (int k = 0; k < classes * w * h; k++) output[index + k] = logistic_activate(output[index + k]);
            }
        }
        if (softmax) {
            int index = entry_index(0, 0, coords + 1);
            softmax_cpu(input, index, classes, batch * n, outputs / n, w * h, 1, w * h, output);
        }

        delta = new float[outputs * batch];
        writes = new Write[outputs * batch];
        java.util.Arrays.fill(writes, Write.NONE);
        for (int b = 0; b < batch; ++b) {
            for (int j = 0; j < h; ++j) {
                for (int i = 0; i < w; ++i) {
                    for (int n = 0; n < this.n; ++n) {
                        int box_index = entry_index(b, n * w * h + j * w + i, 0);
                        float[] pred = get_region_box(output, n, box_index, i, j, w * h);
                        float best_iou = 0;
                        for (int t = 0; t < 30; ++t) {
                            float[] tr = float_to_box(truth, t * (coords + 1) + b * truths);
                            if (tr[0] == 0) break;
                            float iou = box_iou(pred, tr);
                            if (iou > best_iou) {
                                best_iou = iou;
                            }
                        }
                        int obj_index = entry_index(b, n * w * h + j * w + i, coords);
                        set(obj_index, noobjectScale * (0 - output[obj_index]), new Write(Term.LOGISTIC_SQUARE, 0, noobjectScale, -1));
                        if (best_iou > thresh) {
                            zeroedObjectness++;
                            set(obj_index, 0, Write.NONE);
                        }
                        if (seen < 12800) {
                            float[] tr = {(float) ((i + .5) / w), (float) ((j + .5) / h), biases[2 * n] / w, biases[2 * n + 1] / h};
                            delta_region_box(tr, output, n, box_index, i, j, .01f, w * h);
                        }
                    }
                }
            }
            Set<Integer> claimed = new HashSet<>();
            for (int t = 0; t < 30; ++t) {
                float[] tr = float_to_box(truth, t * (coords + 1) + b * truths);
                if (tr[0] == 0) break;
                float best_iou = 0;
                int best_n = 0;
                int i = (int) (tr[0] * w);
                int j = (int) (tr[1] * h);
                float[] truth_shift = {0, 0, tr[2], tr[3]};
                for (int n = 0; n < this.n; ++n) {
                    int box_index = entry_index(b, n * w * h + j * w + i, 0);
                    float[] pred = get_region_box(output, n, box_index, i, j, w * h);
                    if (biasMatch) {
                        pred[2] = biases[2 * n] / w;
                        pred[3] = biases[2 * n + 1] / h;
                    }
                    pred[0] = 0;
                    pred[1] = 0;
                    float iou = box_iou(pred, truth_shift);
                    if (iou > best_iou) {
                        best_iou = iou;
                        best_n = n;
                    }
                }
                int box_index = entry_index(b, best_n * w * h + j * w + i, 0);
                float iou = delta_region_box(tr, output, best_n, box_index, i, j, coordScale * (2 - tr[2] * tr[3]), w * h);

                int obj_index = entry_index(b, best_n * w * h + j * w + i, coords);
                if (!claimed.add(obj_index)) {
                    reclaimed++;
                }
                set(obj_index, objectScale * (1 - output[obj_index]), new Write(Term.LOGISTIC_SQUARE, 1, objectScale, -1));
                if (rescore) {
                    set(obj_index, objectScale * (iou - output[obj_index]), new Write(Term.LOGISTIC_SQUARE, iou, objectScale, -1));
                }
                int cls = (int) truth[t * (coords + 1) + b * truths + coords];
                int class_index = entry_index(b, best_n * w * h + j * w + i, coords + 1);
                delta_region_class(output, class_index, cls, classes, classScale, w * h, !softmax);
            }
        }
        cost = (float) Math.pow(mag_array(delta), 2);

        // backward_region_layer_gpu: gradient_array over x, y and objectness, then axpy into net.delta
        float[] back = delta.clone();
        for (int b = 0; b < batch; ++b) {
            for (int n = 0; n < this.n; ++n) {
                int index = entry_index(b, n * w * h, 0);
                for (int k = index; k < index + 2 * w * h; k++) back[k] *= logistic_gradient(output[k]);
                index = entry_index(b, n * w * h, coords);
                for (int k = index; k < index + w * h; k++) back[k] *= logistic_gradient(output[k]);
            }
        }
        return back;
    }

    /** The loss whose negative gradient {@link #run}'s result is, with the recorded targets held fixed (in double). */
    double fixedTargetLoss(double[] z) {
        double sum = 0;
        for (int k = 0; k < writes.length; k++) {
            Write wr = writes[k];
            switch (wr.term()) {
                case NONE -> { }
                case LOGISTIC_SQUARE -> sum += wr.scale() / 2.0 * square(wr.target() - sigmoid(z[k]));
                case RAW_SQUARE -> sum += wr.scale() / 2.0 * square(wr.target() - z[k]);
                case LOGISTIC_CROSS_ENTROPY -> {
                    double s = sigmoid(z[k]);
                    sum -= wr.scale() * (wr.target() * Math.log(s) + (1 - wr.target()) * Math.log(1 - s));
                }
                case SOFTMAX_CROSS_ENTROPY -> {
                    if (wr.target() == 1) {
                        sum -= wr.scale() * logSoftmax(z, wr.firstClass(), k);
                    }
                }
            }
        }
        return sum;
    }

    private double logSoftmax(double[] z, int first, int k) {
        int stride = w * h;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, z[first + c * stride]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(z[first + c * stride] - max);
        }
        return z[k] - max - Math.log(sum);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double square(double v) {
        return v * v;
    }
}
