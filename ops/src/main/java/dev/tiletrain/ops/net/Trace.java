package dev.tiletrain.ops.net;

import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What a forward pass over blocks {@code first..last} kept for backward: per block, the input of each of
 * its layers followed by the block's output ({@code tensors(b).get(i)} is the input of layer i).
 */
public final class Trace {
    private final int first;
    private final Tensor input;
    private final List<List<Tensor>> perBlock = new ArrayList<>();

    Trace(int first, Tensor input) {
        this.first = first;
        this.input = input;
    }

    void add(List<Tensor> tensors) {
        perBlock.add(tensors);
    }

    public int first() {
        return first;
    }

    public int last() {
        return first + perBlock.size() - 1;
    }

    /** The input of block {@code first}. */
    public Tensor input() {
        return input;
    }

    public List<Tensor> tensors(int block) {
        return perBlock.get(block - first);
    }

    /** The output of {@code block}; {@code first − 1} names the input. */
    public Tensor output(int block) {
        if (block == first - 1) {
            return input;
        }
        List<Tensor> t = tensors(block);
        return t.get(t.size() - 1);
    }
}
