package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.List;

/** Adds a learned bias per channel: the bias of a Darknet convolution without batch norm. */
public final class Bias implements Pointwise {
    private final Shape shape;
    private final Param biases;

    public Bias(Shape shape) {
        this.shape = shape;
        this.biases = new Param(Param.Role.BIASES, shape.c());
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public List<Param> params() {
        return List.of(biases);
    }

    @Override
    public Tensor forward(Tensor x, Rect out, Pass pass) {
        checkCovers(x, out);
        Tensor y = Tensor.zeros(x.n, shape.c(), out);
        for (int b = 0; b < x.n; b++) {
            for (int ch = 0; ch < shape.c(); ch++) {
                float v = biases.value[ch];
                for (int row = out.y1(); row <= out.y2(); row++) {
                    int i = x.index(b, ch, row, out.x1()), o = y.index(b, ch, row, out.x1());
                    for (int k = 0; k < out.width(); k++) {
                        y.data[o + k] = x.data[i + k] + v;
                    }
                }
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        checkCovers(x, dy.rect);
        float[] grad = pass.grad(biases);
        int area = dy.rect.area();
        for (int b = 0; b < dy.n; b++) {
            for (int ch = 0; ch < shape.c(); ch++) {
                double sum = 0;
                for (int i = (b * dy.c + ch) * area, end = i + area; i < end; i++) {
                    sum += dy.data[i];
                }
                grad[ch] += (float) sum;
            }
        }
        Tensor dx = Tensor.zeros(x.n, x.c, x.rect);
        dx.copyOverlap(dy);
        return dx;
    }

    @Override
    public String describe() {
        return "bias " + shape.c();
    }
}
