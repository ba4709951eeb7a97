package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;

/**
 * Darknet's {@code [avgpool]}: the global average of each channel, c×h×w → c×1×1, summed in float in map
 * order and divided by h·w as Darknet does.
 */
public final class AvgPool implements UntiledLayer {
    private final Shape in;
    private final Shape out;

    public AvgPool(Shape in) {
        this.in = in;
        this.out = new Shape(in.c(), 1, 1);
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
        int area = in.h() * in.w();
        Tensor y = Tensor.zeros(x.n, out);
        for (int k = 0; k < x.n * in.c(); k++) {
            float sum = 0;
            for (int i = k * area; i < (k + 1) * area; i++) {
                sum += x.data[i];
            }
            y.data[k] = sum / area;
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        requireWholeGradient(x, dy);
        int area = in.h() * in.w();
        Tensor dx = Tensor.zeros(x.n, in);
        for (int k = 0; k < x.n * in.c(); k++) {
            float g = dy.data[k] / area;
            for (int i = k * area; i < (k + 1) * area; i++) {
                dx.data[i] = g;
            }
        }
        return dx;
    }

    @Override
    public String describe() {
        return "avgpool " + in;
    }
}
