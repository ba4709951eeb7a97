package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Darknet's YOLOv2 {@code [region]} layer and loss, after pjreddie's region_layer.c.
 *
 * <p>The input holds, per anchor {@code a}, the channels {@code a·(5+classes) + entry} with entries x, y, w,
 * h, objectness, classes (Darknet's {@code entry_index}). Forward applies the logistic to x, y and
 * objectness and a softmax (or, with {@code softmax=0}, the logistic) over the classes.
 *
 * <p>{@link #loss} is {@code forward_region_layer} in training followed by {@code backward_region_layer_gpu}
 * (the CPU backward is commented out in pjreddie's master; the GPU one is what Darknet trains with): the
 * deltas of x, y and objectness are multiplied by the logistic's gradient, those of w, h and the classes
 * pass as they are. The cost is Darknet's, |delta|² before that multiplication.
 */
public final class Region implements LossLayer {
    /** Truth boxes per image that Darknet reads ({@code l.truths = 30·(coords+1)}). */
    public static final int MAX_BOXES = 30;
    /** While fewer images than this have been seen, every prediction is pulled towards its anchor. */
    public static final long WARM_UP_IMAGES = 12800;
    private static final float WARM_UP_SCALE = .01f;
    private static final int X = 0, Y = 1, W = 2, H = 3, OBJECTNESS = 4, FIRST_CLASS = 5;

    /**
     * The keys of a {@code [region]} section that its training uses: num, classes, coords, anchors (w, h per
     * anchor, in grid cells), bias_match, softmax, rescore, object_scale, noobject_scale, class_scale,
     * coord_scale, thresh. Darknet's defaults (parse_region): coords 4, classes 20, num 1, anchors all .5,
     * flags 0, scales 1, thresh .5. jitter and random steer the data loader and the training loop; absolute
     * is parsed by Darknet and never read.
     */
    public record Config(int n, int classes, int coords, float[] anchors, boolean biasMatch, boolean softmax,
                         boolean rescore, float objectScale, float noobjectScale, float classScale,
                         float coordScale, float thresh) {
        public Config {
            if (n <= 0 || classes <= 0) {
                throw new IllegalArgumentException("[region] num=" + n + " and classes=" + classes + " must be positive");
            }
            if (coords != 4) {
                throw new IllegalArgumentException("[region] coords=" + coords + ": only 4 (x, y, w, h) is supported");
            }
            if (anchors.length != 2 * n) {
                throw new IllegalArgumentException("[region] anchors has " + anchors.length + " values, num=" + n
                        + " needs " + 2 * n + " (w, h per anchor)");
            }
            anchors = anchors.clone();
        }

        /** Channels per anchor: coords, objectness, classes. */
        public int entries() {
            return coords + 1 + classes;
        }
    }

    /**
     * One prediction decoded as Darknet's {@code get_region_detections} does, box relative to the network
     * input (before {@code correct_region_boxes} undoes the letterbox): objectness and {@code objectness·p}
     * per class, each zeroed at or below the threshold.
     */
    public record Detection(Box box, float objectness, float[] probabilities) {}

    /** A truth box and its class. */
    private record Label(Box box, int classId) {}

    private final Config config;
    private final Shape shape;
    private final int hw;

    public Region(Config config, Shape input) {
        if (input.c() != config.n() * config.entries()) {
            throw new IllegalArgumentException("[region] num=" + config.n() + " × " + config.entries()
                    + " entries needs " + config.n() * config.entries() + " input channels, got " + input);
        }
        this.config = config;
        this.shape = input;
        this.hw = input.h() * input.w();
    }

    public Config config() {
        return config;
    }

    @Override
    public Shape inputShape() {
        return shape;
    }

    @Override
    public Shape outputShape() {
        return shape;
    }

    /** The loss compares every prediction with every truth box, so it needs the whole map. */
    @Override
    public boolean tileable() {
        return false;
    }

    @Override
    public Rect inputRegion(Rect out) {
        throw new UnsupportedOperationException("[region] is not tileable");
    }

    /** Index of {@code entry} of anchor {@code a} at map position {@code loc} of image {@code b}. */
    private int index(int b, int a, int entry, int loc) {
        return ((b * config.n() + a) * config.entries() + entry) * hw + loc;
    }

    @Override
    public Tensor forward(Tensor x, Rect out, Pass pass) {
        requireWholeMap(x, out);
        Tensor y = x.copy();
        float[] v = y.data;
        for (int b = 0; b < x.n; b++) {
            for (int a = 0; a < config.n(); a++) {
                logistic(v, index(b, a, X, 0), 2 * hw);
                logistic(v, index(b, a, OBJECTNESS, 0), hw);
                if (config.softmax()) {
                    for (int loc = 0; loc < hw; loc++) {
                        softmax(v, index(b, a, FIRST_CLASS, loc));
                    }
                } else {
                    logistic(v, index(b, a, FIRST_CLASS, 0), config.classes() * hw);
                }
            }
        }
        return y;
    }

    /** The exact gradient of {@link #forward}; training uses {@link #loss} instead, as Darknet does. */
    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        requireWholeMap(x, dy.rect);
        Tensor dx = dy.copy();
        float[] o = y.data, d = dx.data;
        for (int b = 0; b < x.n; b++) {
            for (int a = 0; a < config.n(); a++) {
                throughLogistic(o, d, index(b, a, X, 0), 2 * hw);
                throughLogistic(o, d, index(b, a, OBJECTNESS, 0), hw);
                if (!config.softmax()) {
                    throughLogistic(o, d, index(b, a, FIRST_CLASS, 0), config.classes() * hw);
                    continue;
                }
                for (int loc = 0; loc < hw; loc++) {
                    int first = index(b, a, FIRST_CLASS, loc);
                    double dot = 0;
                    for (int k = 0; k < config.classes(); k++) {
                        dot += (double) o[first + k * hw] * dy.data[first + k * hw];
                    }
                    for (int k = 0; k < config.classes(); k++) {
                        int i = first + k * hw;
                        d[i] = (float) (o[i] * (dy.data[i] - dot));
                    }
                }
            }
        }
        return dx;
    }

    /**
     * Darknet's training deltas for the whole batch; {@link Pass#seen()} decides the anchor warm-up. The
     * cost is |delta|² before the logistic-gradient multiply, the gradient −delta after it.
     */
    @Override
    public Loss loss(Tensor x, Truth truth, Pass pass) {
        Tensor y = forward(x, shape.full(), pass);
        if (truth.images() != x.n || truth.perImage() != MAX_BOXES * (config.coords() + 1)) {
            throw new IllegalArgumentException("[region] needs " + MAX_BOXES * (config.coords() + 1)
                    + " truth values for each of " + x.n + " images, got " + truth.images() + " × " + truth.perImage());
        }
        boolean warmUp = pass.seen() < WARM_UP_IMAGES;
        float[] out = y.data, delta = new float[out.length];
        for (int b = 0; b < x.n; b++) {
            List<Label> labels = labels(truth, b);
            noObjectAndWarmUp(out, delta, b, labels, warmUp);
            for (Label label : labels) {
                responsible(out, delta, b, label);
            }
        }
        float sum = 0;
        for (float d : delta) {
            sum += d * d;
        }
        float cost = (float) Math.pow((float) Math.sqrt(sum), 2);
        for (int b = 0; b < x.n; b++) {
            for (int a = 0; a < config.n(); a++) {
                throughLogistic(out, delta, index(b, a, X, 0), 2 * hw);
                throughLogistic(out, delta, index(b, a, OBJECTNESS, 0), hw);
            }
        }
        for (int i = 0; i < delta.length; i++) {
            delta[i] = -delta[i];
        }
        return new Loss(cost, new Tensor(x.n, x.c, x.rect, delta));
    }

    /**
     * Every prediction: objectness towards 0 unless it overlaps some truth by more than thresh, and during
     * the warm-up its box towards the anchor centred in its cell.
     */
    private void noObjectAndWarmUp(float[] out, float[] delta, int b, List<Label> labels, boolean warmUp) {
        int w = shape.w(), h = shape.h();
        float[] anchors = config.anchors();
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                for (int a = 0; a < config.n(); a++) {
                    int loc = j * w + i;
                    Box pred = predicted(out, b, a, loc, i, j);
                    float best = 0;
                    for (Label label : labels) {
                        float iou = pred.iou(label.box());
                        if (iou > best) {
                            best = iou;
                        }
                    }
                    int obj = index(b, a, OBJECTNESS, loc);
                    delta[obj] = best > config.thresh() ? 0 : config.noobjectScale() * (0 - out[obj]);
                    if (warmUp) {
                        Box prior = new Box((float) ((i + .5) / w), (float) ((j + .5) / h), anchors[2 * a] / w, anchors[2 * a + 1] / h);
                        boxDelta(prior, out, delta, b, a, loc, i, j, WARM_UP_SCALE);
                    }
                }
            }
        }
    }

    /**
     * The truth's cell and the anchor whose shape (with bias_match the anchor's own, else the predicted
     * one) overlaps the truth's best take the box, objectness and class deltas; a later truth on the same
     * anchor overwrites an earlier one, as in Darknet.
     */
    private void responsible(float[] out, float[] delta, int b, Label label) {
        Box truth = label.box();
        int w = shape.w(), h = shape.h();
        int i = cell(truth.x(), w), j = cell(truth.y(), h), loc = j * w + i;
        float[] anchors = config.anchors();
        Box truthShape = new Box(0, 0, truth.w(), truth.h());
        float bestIou = 0;
        int best = 0;
        for (int a = 0; a < config.n(); a++) {
            Box pred = predicted(out, b, a, loc, i, j);
            float pw = config.biasMatch() ? anchors[2 * a] / w : pred.w();
            float ph = config.biasMatch() ? anchors[2 * a + 1] / h : pred.h();
            float iou = new Box(0, 0, pw, ph).iou(truthShape);
            if (iou > bestIou) {
                bestIou = iou;
                best = a;
            }
        }
        float iou = boxDelta(truth, out, delta, b, best, loc, i, j, config.coordScale() * (2 - truth.w() * truth.h()));
        int obj = index(b, best, OBJECTNESS, loc);
        delta[obj] = config.objectScale() * ((config.rescore() ? iou : 1) - out[obj]);

        int first = index(b, best, FIRST_CLASS, loc), c = label.classId();
        if (!config.softmax() && delta[first] != 0) {
            // delta_region_class's tag: logistic classes already claimed by a truth only gain this class.
            delta[first + c * hw] = config.classScale() * (1 - out[first + c * hw]);
            return;
        }
        for (int k = 0; k < config.classes(); k++) {
            delta[first + k * hw] = config.classScale() * ((k == c ? 1 : 0) - out[first + k * hw]);
        }
    }

    /** Darknet's {@code delta_region_box}: writes the box deltas towards {@code truth}, returns the IoU. */
    private float boxDelta(Box truth, float[] out, float[] delta, int b, int a, int loc, int i, int j, float scale) {
        int w = shape.w(), h = shape.h();
        float[] anchors = config.anchors();
        float iou = predicted(out, b, a, loc, i, j).iou(truth);
        float tx = truth.x() * w - i;
        float ty = truth.y() * h - j;
        float tw = (float) Math.log(truth.w() * w / anchors[2 * a]);
        float th = (float) Math.log(truth.h() * h / anchors[2 * a + 1]);
        int k = index(b, a, X, loc);
        delta[k] = scale * (tx - out[k]);
        delta[k + hw] = scale * (ty - out[k + hw]);
        delta[k + 2 * hw] = scale * (tw - out[k + 2 * hw]);
        delta[k + 3 * hw] = scale * (th - out[k + 3 * hw]);
        return iou;
    }

    /** Darknet's {@code get_region_box} over the activated output, relative to the map. */
    private Box predicted(float[] out, int b, int a, int loc, int i, int j) {
        int w = shape.w(), h = shape.h();
        float[] anchors = config.anchors();
        int k = index(b, a, X, loc);
        return new Box((i + out[k]) / w, (j + out[k + hw]) / h,
                (float) (Math.exp(out[k + 2 * hw]) * anchors[2 * a] / w),
                (float) (Math.exp(out[k + 3 * hw]) * anchors[2 * a + 1] / h));
    }

    /**
     * Darknet's cell of a truth coordinate, {@code (int)(x·w)}; a coordinate of exactly 1 (which Darknet's
     * loader never produces: it drops boxes narrower than .001) would index past the map, so it takes the
     * last cell.
     */
    private static int cell(float coordinate, int size) {
        return Math.min((int) (coordinate * size), size - 1);
    }

    /** The truth boxes of image {@code b}, up to the first with x == 0 (Darknet's {@code if(!truth.x) break}). */
    private List<Label> labels(Truth truth, int b) {
        List<Label> labels = new ArrayList<>();
        float[] v = truth.values();
        for (int t = 0; t < MAX_BOXES; t++) {
            int k = b * truth.perImage() + t * (config.coords() + 1);
            if (v[k] == 0) {
                break;
            }
            Box box = new Box(v[k], v[k + 1], v[k + 2], v[k + 3]);
            int c = (int) v[k + 4];
            if (!(box.x() >= 0 && box.x() <= 1 && box.y() >= 0 && box.y() <= 1 && box.w() > 0 && box.h() > 0)) {
                throw new IllegalArgumentException("truth of image " + b + ", box " + t + ": " + box
                        + " is not a normalized box with positive size");
            }
            if (c < 0 || c >= config.classes()) {
                throw new IllegalArgumentException("truth of image " + b + ", box " + t + ": class " + v[k + 4]
                        + " is not in [0, " + config.classes() + ")");
            }
            labels.add(new Label(box, c));
        }
        return labels;
    }

    /** Decodes image {@code b} of {@link #forward}'s output, one detection per anchor and cell (index a·h·w + cell). */
    public List<Detection> detections(Tensor activated, int b, float thresh) {
        requireWholeMap(activated, activated.rect);
        float[] out = activated.data;
        List<Detection> detections = new ArrayList<>(config.n() * hw);
        for (int a = 0; a < config.n(); a++) {
            for (int loc = 0; loc < hw; loc++) {
                float scale = out[index(b, a, OBJECTNESS, loc)];
                float[] p = new float[config.classes()];
                if (scale > thresh) {
                    for (int k = 0; k < p.length; k++) {
                        float prob = scale * out[index(b, a, FIRST_CLASS + k, loc)];
                        p[k] = prob > thresh ? prob : 0;
                    }
                }
                Box box = predicted(out, b, a, loc, loc % shape.w(), loc / shape.w());
                detections.add(new Detection(box, scale > thresh ? scale : 0, p));
            }
        }
        return detections;
    }

    private void requireWholeMap(Tensor x, Rect r) {
        if (x.c != shape.c() || !x.rect.equals(shape.full()) || !r.equals(shape.full())) {
            throw new IllegalArgumentException("[region] works on whole " + shape + " maps, got " + x + " for " + r);
        }
    }

    /** Darknet's {@code logistic_activate}: in double, rounded to float. */
    private static void logistic(float[] v, int from, int count) {
        for (int i = from; i < from + count; i++) {
            v[i] = (float) (1. / (1. + Math.exp(-v[i])));
        }
    }

    /** Multiplies {@code d} by Darknet's {@code logistic_gradient} of the activated {@code y}. */
    private static void throughLogistic(float[] y, float[] d, int from, int count) {
        for (int i = from; i < from + count; i++) {
            d[i] *= (1 - y[i]) * y[i];
        }
    }

    /** Darknet's {@code softmax} (temperature 1) over the classes starting at {@code first}, one plane apart. */
    private void softmax(float[] v, int first) {
        int end = first + config.classes() * hw;
        float largest = -Float.MAX_VALUE;
        for (int i = first; i < end; i += hw) {
            largest = Math.max(largest, v[i]);
        }
        float sum = 0;
        for (int i = first; i < end; i += hw) {
            float e = (float) Math.exp(v[i] - largest);
            sum += e;
            v[i] = e;
        }
        for (int i = first; i < end; i += hw) {
            v[i] /= sum;
        }
    }

    @Override
    public String describe() {
        return "region " + config.n() + " anchors " + config.classes() + " classes";
    }
}
