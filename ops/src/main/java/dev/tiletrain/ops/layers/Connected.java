package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The matrix product of Darknet's {@code [connected]}: {@code y = W·x} per image, x the flattened c×h×w
 * input, y an outputs×1×1 map, W stored outputs×inputs row-major as in Darknet's weights file. Biases
 * (or batch norm), and the activation are separate layers the network builder appends. Sums run in
 * float in Darknet's gemm order, so the products match Darknet's CPU path.
 */
public final class Connected implements UntiledLayer {
    private final Shape in;
    private final Shape out;
    private final Param weights;

    public Connected(Shape in, int outputs) {
        if (outputs < 1) {
            throw new IllegalArgumentException("connected needs at least one output, got " + outputs);
        }
        this.in = in;
        this.out = new Shape(outputs, 1, 1);
        this.weights = new Param(Param.Role.WEIGHTS, outputs * in.size());
    }

    /** Darknet's initialization: uniform in ±√(2/inputs). */
    public void initialize(RandomGenerator random) {
        float scale = (float) Math.sqrt(2.0 / in.size());
        for (int i = 0; i < weights.size(); i++) {
            weights.value[i] = scale * (random.nextFloat() * 2 - 1);
        }
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
    public List<Param> params() {
        return List.of(weights);
    }

    @Override
    public Tensor forward(Tensor x, Rect o, Pass pass) {
        requireWholeMaps(x, o);
        int inputs = in.size(), outputs = out.c();
        float[] w = weights.value;
        Tensor y = Tensor.zeros(x.n, out);
        for (int b = 0; b < x.n; b++) {
            for (int j = 0; j < outputs; j++) {
                float sum = 0;
                for (int k = 0; k < inputs; k++) {
                    sum += x.data[b * inputs + k] * w[j * inputs + k];
                }
                y.data[b * outputs + j] = sum;
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        requireWholeGradient(x, dy);
        int inputs = in.size(), outputs = out.c();
        float[] w = weights.value, gw = pass.grad(weights);
        for (int j = 0; j < outputs; j++) {
            for (int b = 0; b < x.n; b++) {
                float g = dy.data[b * outputs + j];
                for (int k = 0; k < inputs; k++) {
                    gw[j * inputs + k] += g * x.data[b * inputs + k];
                }
            }
        }
        Tensor dx = Tensor.zeros(x.n, in);
        for (int b = 0; b < x.n; b++) {
            for (int j = 0; j < outputs; j++) {
                float g = dy.data[b * outputs + j];
                for (int k = 0; k < inputs; k++) {
                    dx.data[b * inputs + k] += g * w[j * inputs + k];
                }
            }
        }
        return dx;
    }

    @Override
    public String describe() {
        return "connected " + in.size() + " -> " + out.c();
    }
}
