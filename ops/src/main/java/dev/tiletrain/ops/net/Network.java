package dev.tiletrain.ops.net;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.LossLayer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.Pass;
import dev.tiletrain.ops.layers.Truth;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A network as a Darknet cfg defines it: blocks in cfg order over whole maps. Runs any range of blocks
 * forward and backward, which is what the untiled reference and the untiled tail of a tiled plan need.
 */
public final class Network {
    private final Shape input;
    private final List<Block> blocks;

    public Network(Shape input, List<Block> blocks) {
        this.input = input;
        this.blocks = List.copyOf(blocks);
        for (int i = 0; i < this.blocks.size(); i++) {
            if (this.blocks.get(i).index() != i) {
                throw new IllegalArgumentException("block " + i + " has index " + this.blocks.get(i).index());
            }
        }
    }

    public Shape input() {
        return input;
    }

    public List<Block> blocks() {
        return blocks;
    }

    public Block block(int i) {
        return blocks.get(i);
    }

    public Shape output() {
        return blocks.get(blocks.size() - 1).output();
    }

    /** Every parameter, in block and layer order (Darknet's weights-file order within a block may differ). */
    public List<Param> params() {
        List<Param> all = new ArrayList<>();
        for (Block b : blocks) {
            for (Layer l : b.layers()) {
                all.addAll(l.params());
            }
        }
        return all;
    }

    /** Every batch norm, in order. */
    public List<BatchNorm> batchNorms() {
        List<BatchNorm> all = new ArrayList<>();
        for (Block b : blocks) {
            for (Layer l : b.layers()) {
                if (l instanceof BatchNorm bn) {
                    all.add(bn);
                }
            }
        }
        return all;
    }

    public Trace forward(Tensor x, Pass pass) {
        return forward(0, blocks.size() - 1, x, pass);
    }

    /**
     * Runs blocks {@code first..last} over whole maps; {@code x} is the input of block {@code first}.
     * A route may read blocks before {@code first} only through that input ({@code first − 1}).
     */
    public Trace forward(int first, int last, Tensor x, Pass pass) {
        Trace trace = new Trace(first, x);
        for (int b = first; b <= last; b++) {
            Block block = blocks.get(b);
            List<Tensor> tensors = new ArrayList<>();
            Tensor cur = block.isRoute() ? concat(block, trace) : trace.output(source(block, first));
            for (Layer layer : block.layers()) {
                tensors.add(cur);
                cur = layer.forward(cur, layer.outputShape().full(), pass);
            }
            tensors.add(cur);
            trace.add(tensors);
        }
        return trace;
    }

    /** The cost and input gradient of the loss layer ending the traced range (whose output is ignored). */
    public LossLayer.Loss loss(Trace trace, Truth truth, Pass pass) {
        Block last = blocks.get(trace.last());
        LossLayer loss = last.loss();
        if (loss == null) {
            throw new IllegalStateException("block " + last + " does not end in a loss layer");
        }
        List<Tensor> t = trace.tensors(last.index());
        return loss.loss(t.get(t.size() - 2), truth, pass);
    }

    /**
     * Back-propagates {@code dOut}, the gradient at the last traced block's output, through the traced
     * blocks and returns dLoss/d(input of the range).
     */
    public Tensor backward(Trace trace, Tensor dOut, Pass pass) {
        return backward(trace, dOut, false, true, pass);
    }

    /** Back-propagates the input gradient of the ending loss layer (from {@link #loss}). */
    public Tensor backwardFromLoss(Trace trace, Tensor lossInputGradient, Pass pass) {
        return backward(trace, lossInputGradient, true, true, pass);
    }

    /**
     * The parameter gradients of {@link #backward} (or of {@link #backwardFromLoss} when {@code fromLoss})
     * without dLoss/d(input of the range), which training does not need: the layers reading that input add
     * only their parameter gradients ({@link Layer#backwardParams}), which spares the first convolution's
     * input-gradient product and col2im.
     */
    public void backwardParams(Trace trace, Tensor seed, boolean fromLoss, Pass pass) {
        backward(trace, seed, fromLoss, false, pass);
    }

    private Tensor backward(Trace trace, Tensor dOut, boolean fromLoss, boolean inputGradient, Pass pass) {
        int first = trace.first(), last = trace.last();
        Tensor[] delta = new Tensor[last - first + 2]; // delta[b - first + 1] for block b; [0] the input
        delta[last - first + 1] = dOut;
        for (int b = last; b >= first; b--) {
            Tensor d = delta[b - first + 1];
            if (d == null) {
                continue;
            }
            Block block = blocks.get(b);
            List<Tensor> t = trace.tensors(b);
            int top = block.layers().size() - 1;
            if (b == last && fromLoss) {
                top--; // dOut already is the gradient at the loss layer's input
            }
            boolean skipInput = !inputGradient && !block.isRoute() && source(block, first) == first - 1;
            for (int i = top; i >= (skipInput ? 1 : 0); i--) {
                d = block.layers().get(i).backward(t.get(i), t.get(i + 1), d, pass);
            }
            if (skipInput) {
                if (top >= 0) {
                    block.layers().get(0).backwardParams(t.get(0), t.get(1), d, pass);
                }
            } else if (block.isRoute()) {
                int offset = 0;
                for (int src : block.inputs()) {
                    Tensor part = trace.output(src);
                    if (src != first - 1 || inputGradient) {
                        accumulate(delta, src - first + 1, channels(d, offset, part.c));
                    }
                    offset += part.c;
                }
            } else {
                accumulate(delta, source(block, first) - first + 1, d);
            }
        }
        return delta[0];
    }

    private static int source(Block block, int first) {
        int src = block.inputs()[0];
        if (src < first - 1) {
            throw new IllegalArgumentException("block " + block + " reads block " + src
                    + ", before the range starting at " + first);
        }
        return src;
    }

    private static void accumulate(Tensor[] delta, int slot, Tensor d) {
        if (slot < 0) {
            throw new IllegalArgumentException("a route reads a block before the traced range");
        }
        if (delta[slot] == null) {
            delta[slot] = d.copy();
        } else {
            float[] a = delta[slot].data, b = d.data;
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
        }
    }

    private static Tensor concat(Block route, Trace trace) {
        List<Tensor> parts = new ArrayList<>();
        int c = 0;
        for (int src : route.inputs()) {
            if (src < trace.first() - 1) {
                throw new IllegalArgumentException("route " + route + " reads block " + src
                        + ", before the range starting at " + trace.first());
            }
            Tensor p = trace.output(src);
            parts.add(p);
            c += p.c;
        }
        Tensor first = parts.get(0);
        Tensor out = Tensor.zeros(first.n, c, first.rect);
        int plane = first.rect.area();
        for (int b = 0; b < first.n; b++) {
            int offset = 0;
            for (Tensor p : parts) {
                System.arraycopy(p.data, b * p.c * plane, out.data, (b * c + offset) * plane, p.c * plane);
                offset += p.c;
            }
        }
        return out;
    }

    /** Channels {@code from .. from+count−1} of {@code t}. */
    private static Tensor channels(Tensor t, int from, int count) {
        Rect r = t.rect;
        int plane = r.area();
        Tensor out = Tensor.zeros(t.n, count, r);
        for (int b = 0; b < t.n; b++) {
            System.arraycopy(t.data, (b * t.c + from) * plane, out.data, b * count * plane, count * plane);
        }
        return out;
    }
}
