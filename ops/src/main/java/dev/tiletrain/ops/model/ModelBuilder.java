package dev.tiletrain.ops.model;

import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cfg.CfgSection;
import dev.tiletrain.ops.cfg.NetConfig;
import dev.tiletrain.ops.layers.Activation;
import dev.tiletrain.ops.layers.AvgPool;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Bias;
import dev.tiletrain.ops.layers.Connected;
import dev.tiletrain.ops.layers.Convolution;
import dev.tiletrain.ops.layers.Cost;
import dev.tiletrain.ops.layers.Dropout;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.MaxPool;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.Region;
import dev.tiletrain.ops.layers.Reorg;
import dev.tiletrain.ops.layers.Softmax;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.optim.ParamLayout;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.weights.SectionWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds a {@link Model} from a parsed cfg the way Darknet's {@code parse_network_cfg} does: each section
 * with Darknet's defaults, shapes chained from {@code [net]}'s (or a given) input size, parameters
 * initialized as Darknet initializes them from a seeded generator.
 */
public final class ModelBuilder {
    /** Keys Darknet uses to load or save part of a section; tiletrain always moves whole sections. */
    private static final List<String> PARTIAL_IO = List.of("dontload", "numload", "dontloadscales", "dontsave");
    private static final int ANY = Integer.MAX_VALUE;
    /** The largest weight of a loss term (object_scale, ..., a [cost] scale) accepted. */
    private static final float MAX_LOSS_SCALE = 1000;

    private final Cfg cfg;
    private final BatchNorm.Mode mode;
    private final BatchNorm.Backward backward;
    private final Random init;
    private final List<Block> blocks = new ArrayList<>();
    private final List<SectionWeights> sections = new ArrayList<>();
    private final List<ParamLayout.Entry> layout = new ArrayList<>();
    /** Parameter floats of the layers built so far, to refuse a network before it exhausts the heap. */
    private long parameters;

    private ModelBuilder(Cfg cfg, BatchNorm.Mode mode, BatchNorm.Backward backward, long seed) {
        this.cfg = cfg;
        this.mode = mode;
        this.backward = backward;
        this.init = new Random(seed);
    }

    /** The model at the cfg's own input size. */
    public static Model build(Cfg cfg, BatchNorm.Mode mode, long seed) {
        NetConfig net = NetConfig.of(cfg);
        return build(cfg, mode, seed, new Shape(net.channels(), net.height(), net.width()));
    }

    /** The model for inputs of {@code input} (a fully convolutional net adapts to any size). */
    public static Model build(Cfg cfg, BatchNorm.Mode mode, long seed, Shape input) {
        return build(cfg, mode, BatchNorm.Backward.EXACT, seed, input);
    }

    /** As {@link #build(Cfg, BatchNorm.Mode, long, Shape)}, with the batch norms' backward chosen. */
    public static Model build(Cfg cfg, BatchNorm.Mode mode, BatchNorm.Backward backward, long seed, Shape input) {
        return new ModelBuilder(cfg, mode, backward, seed).run(input);
    }

    private Model run(Shape input) {
        NetConfig net = NetConfig.of(cfg);
        Shape current = input;
        for (int i = 0; i < cfg.layers().size(); i++) {
            CfgSection s = cfg.layers().get(i);
            for (String key : PARTIAL_IO) {
                if (s.has(key)) {
                    throw s.error(key, "partial loading and saving of a section is not supported");
                }
            }
            Block b = block(i, s, current);
            Shape out = b.output();
            if ((long) out.c() * out.h() * out.w() > Integer.MAX_VALUE) {
                throw new CfgException(s.file(), s.line(), null, "[" + s.type() + "] layer " + i + ": its output map "
                        + out.c() + "x" + out.h() + "x" + out.w() + " has more values than a Java array holds");
            }
            blocks.add(b);
            List<Param> params = new ArrayList<>();
            b.layers().forEach(l -> params.addAll(l.params()));
            boolean stores = s.type().equals("convolutional") || s.type().equals("connected");
            sections.add(stores ? SectionWeights.of(s.type(), params) : SectionWeights.none(s.type()));
            float rate = s.getFloat("learning_rate", 1, 0, Float.MAX_VALUE);
            params.forEach(p -> layout.add(new ParamLayout.Entry(p, rate)));
            current = b.output();
        }
        if (blocks.isEmpty()) {
            throw new CfgException(cfg.file(), cfg.net().line(), null, "no layers after [net]");
        }
        return new Model(cfg.file(), net, new Network(input, blocks), sections, ParamLayout.ofEntries(layout));
    }

    private Block block(int index, CfgSection s, Shape in) {
        try {
            switch (s.type()) {
                case "convolutional":
                    return convolutional(index, s, in);
                case "connected":
                    return connected(index, s, in);
                case "maxpool": {
                    int stride = s.getInt("stride", 1, 1, ANY);
                    int size = s.getInt("size", stride, 1, ANY);
                    return single(index, s, new MaxPool(in, size, stride, s.getInt("padding", size - 1, 0, ANY)));
                }
                case "avgpool":
                    return single(index, s, new AvgPool(in));
                case "reorg":
                    return single(index, s, new Reorg(in, s.getInt("stride", 1, 1, ANY)));
                case "dropout":
                    return single(index, s, new Dropout(in, dropProbability(s)));
                case "softmax":
                    return single(index, s, new Softmax(in, s.getInt("groups", 1, 1, ANY), s.getPositiveFloat("temperature", 1)));
                case "cost": {
                    String type = s.getString("type", "sse");
                    if (!type.equals("sse")) {
                        throw s.error("type", "only type=sse is supported, not '" + type + "'");
                    }
                    return single(index, s, new Cost(in, s.getFloat("scale", 1, 0, MAX_LOSS_SCALE)));
                }
                case "region":
                    return single(index, s, new Region(regionConfig(s, in), in));
                case "route":
                    return route(index, s);
                default:
                    throw new CfgException(s.file(), s.line(), null, "section [" + s.type() + "] is not supported");
            }
        } catch (CfgException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // A layer refusing its settings (a window outside the map, channels not divisible, ...).
            throw new CfgException(s.file(), s.line(), null, "[" + s.type() + "] layer " + index + ": " + e.getMessage());
        }
    }

    private Block convolutional(int index, CfgSection s, Shape in) {
        if (s.getInt("groups", 1) != 1) {
            throw s.error("groups", "only groups=1 is supported");
        }
        int filters = s.getInt("filters", 1, 1, ANY);
        int size = s.getInt("size", 1, 1, ANY);
        int stride = s.getInt("stride", 1, 1, ANY);
        int padding = s.getInt("pad", 0, 0, 1) != 0 ? size / 2 : s.getInt("padding", 0, 0, ANY);
        reserve(s, "filters", (long) filters * in.c() * size * size);
        Convolution conv = new Convolution(in, filters, size, stride, padding, init);
        return withNormAndActivation(index, s, conv);
    }

    private Block connected(int index, CfgSection s, Shape in) {
        int outputs = s.getInt("output", 1, 1, ANY);
        reserve(s, "output", (long) outputs * in.size());
        Connected fc = new Connected(in, outputs);
        fc.initialize(init);
        return withNormAndActivation(index, s, fc);
    }

    /**
     * Darknet's conv and connected layers: batch norm (with β as the bias) carrying the activation, or a plain
     * bias and then the activation.
     */
    private Block withNormAndActivation(int index, CfgSection s, Layer weighted) {
        Shape out = weighted.outputShape();
        Activation.Kind kind;
        try {
            kind = Activation.Kind.parse(s.getString("activation", "logistic"));
        } catch (IllegalArgumentException e) {
            throw s.error("activation", e.getMessage());
        }
        List<Layer> layers = s.getInt("batch_normalize", 0, 0, 1) != 0
                ? List.of(weighted, new BatchNorm(out, mode, backward, kind))
                : List.of(weighted, new Bias(out), new Activation(out, kind));
        return new Block(index, s.type(), layers, new int[] {index - 1}, out);
    }

    private Block single(int index, CfgSection s, Layer layer) {
        return new Block(index, s.type(), List.of(layer), new int[] {index - 1}, layer.outputShape());
    }

    private Block route(int index, CfgSection s) {
        int[] refs = s.getInts("layers", null);
        if (refs == null) {
            throw s.error("layers", "[route] needs layers=");
        }
        int[] inputs = new int[refs.length];
        int channels = 0;
        Shape first = null;
        for (int k = 0; k < refs.length; k++) {
            int src = refs[k] < 0 ? index + refs[k] : refs[k];
            if (src < 0 || src >= index) {
                throw s.error("layers", "layer " + refs[k] + " is not an earlier layer of layer " + index);
            }
            Shape o = blocks.get(src).output();
            if (first != null && (o.h() != first.h() || o.w() != first.w())) {
                throw s.error("layers", "layer " + src + " is " + o + " but layer " + inputs[0] + " is " + first
                        + ": a route concatenates maps of one size");
            }
            first = first == null ? o : first;
            inputs[k] = src;
            channels += o.c();
        }
        return new Block(index, s.type(), List.of(), inputs, new Shape(channels, first.h(), first.w()));
    }

    /**
     * Refuses a weighted layer of {@code count} parameters (sized by {@code key}) before allocating it: more
     * than a Java array holds, or a network whose parameters alone outgrow this JVM's maximum heap, would
     * otherwise end in an OutOfMemoryError far from the cfg line that caused it.
     */
    private void reserve(CfgSection s, String key, long count) {
        if (count > Integer.MAX_VALUE) {
            throw s.error(key, "the layer would have " + count + " weights, more than a Java array holds");
        }
        parameters += count;
        long heap = Runtime.getRuntime().maxMemory();
        if (4 * parameters > heap) {
            throw s.error(key, "the network's weights reach " + 4 * parameters / (1 << 20) + " MB with this layer, "
                    + "more than this JVM's maximum heap of " + heap / (1 << 20) + " MB");
        }
    }

    /** Darknet's dropout probability, which must leave something: [0, 1). */
    private static float dropProbability(CfgSection s) {
        float p = s.getFloat("probability", .5f, 0, 1);
        if (p == 1) {
            throw s.error("probability", "'" + s.getString("probability", "") + "' drops everything: use a value below 1");
        }
        return p;
    }

    private static Region.Config regionConfig(CfgSection s, Shape in) {
        int n = s.getInt("num", 1, 1, ANY);
        if (n > in.c()) {
            // Checked before the default anchors are allocated; Region checks the exact channel count.
            throw s.error("num", n + " anchors need more than the " + in.c() + " channels of the layer's input");
        }
        float[] anchors = s.getFloats("anchors", null);
        if (anchors == null) {
            anchors = new float[2 * n];
            java.util.Arrays.fill(anchors, .5f);
        }
        if (anchors.length != 2 * n) {
            throw s.error("anchors", anchors.length + " values, but num=" + n + " anchors need " + 2 * n + " (w, h each)");
        }
        for (float a : anchors) {
            // Darknet takes log(truth / anchor): an anchor of 0 or less makes the loss infinite or NaN.
            if (!(a > 0)) {
                throw s.error("anchors", a + " is not positive: anchors are box widths and heights in grid cells");
            }
        }
        // Far above any published cfg (YOLOv2's largest is 5); a squared delta scaled by 1e30 overflows float.
        float scale = MAX_LOSS_SCALE;
        return new Region.Config(n, s.getInt("classes", 20, 1, ANY), s.getInt("coords", 4), anchors,
                s.getInt("bias_match", 0, 0, 1) != 0, s.getInt("softmax", 0, 0, 1) != 0, s.getInt("rescore", 0, 0, 1) != 0,
                s.getFloat("object_scale", 1, 0, scale), s.getFloat("noobject_scale", 1, 0, scale),
                s.getFloat("class_scale", 1, 0, scale), s.getFloat("coord_scale", 1, 0, scale),
                s.getFloat("thresh", .5f, 0, 1));
    }
}
