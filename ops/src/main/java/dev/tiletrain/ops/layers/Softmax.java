package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;

/**
 * Darknet's {@code [softmax]} (cfg defaults groups=1, temperature=1) without a tree: each image's flattened
 * c×h×w input splits into {@code groups} consecutive blocks, each normalized by
 * {@code p = exp(x/T − max/T) / Σ}, in Darknet's float arithmetic.
 *
 * <p>{@link #loss} is Darknet's {@code softmax_x_ent_cpu}: cost {@code Σ −log p} over the values whose
 * target is nonzero, delta {@code t − p}, which Darknet passes unchanged to the layer below; the gradient
 * returned is {@code p − t}. That is the exact derivative of the surrogate
 * {@code Σ_groups (T·log Σ exp(x/T) − Σ t·x)}, which equals T times the cross-entropy when each group's
 * targets sum to 1; so for one-hot targets and T = 1 it is the exact gradient of the cost.
 *
 * <p>{@link #backward} is the true softmax Jacobian for a layer used mid-network (Darknet's passes its
 * delta through unchanged, correct only when that delta came from its own loss).
 */
public final class Softmax implements VectorTargetLoss {
    private final Shape shape;
    private final int groups;
    private final float temperature;

    public Softmax(Shape shape, int groups, float temperature) {
        if (groups < 1 || shape.size() % groups != 0) {
            throw new IllegalArgumentException("softmax groups (" + groups + ") must divide the " + shape.size()
                    + " inputs of " + shape);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("softmax temperature must be positive, got " + temperature);
        }
        this.shape = shape;
        this.groups = groups;
        this.temperature = temperature;
    }

    @Override
    public Shape inputShape() {
        return shape;
    }

    @Override
    public Shape outputShape() {
        return shape;
    }

    @Override
    public Tensor forward(Tensor x, Rect out, Pass pass) {
        requireWholeMaps(x, out);
        Tensor y = Tensor.zeros(x.n, shape);
        int n = shape.size() / groups;
        for (int start = 0; start < x.data.length; start += n) {
            float largest = -Float.MAX_VALUE;
            for (int i = start; i < start + n; i++) {
                if (x.data[i] > largest) {
                    largest = x.data[i];
                }
            }
            float sum = 0;
            for (int i = start; i < start + n; i++) {
                float e = (float) Math.exp(x.data[i] / temperature - largest / temperature);
                sum += e;
                y.data[i] = e;
            }
            for (int i = start; i < start + n; i++) {
                y.data[i] /= sum;
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        requireWholeGradient(x, dy);
        Tensor dx = Tensor.zeros(x.n, shape);
        int n = shape.size() / groups;
        for (int start = 0; start < x.data.length; start += n) {
            double dot = 0;
            for (int i = start; i < start + n; i++) {
                dot += (double) y.data[i] * dy.data[i];
            }
            for (int i = start; i < start + n; i++) {
                dx.data[i] = (float) (y.data[i] * (dy.data[i] - dot) / temperature);
            }
        }
        return dx;
    }

    @Override
    public Loss loss(Tensor x, Truth truth, Pass pass) {
        requireTargets(x, truth);
        Tensor p = forward(x, shape.full(), pass);
        Tensor gradient = Tensor.zeros(x.n, shape);
        float cost = 0;
        for (int i = 0; i < p.data.length; i++) {
            float t = truth.values()[i];
            cost += t != 0 ? (float) -Math.log(p.data[i]) : 0;
            gradient.data[i] = p.data[i] - t;
        }
        return new Loss(cost, gradient);
    }

    @Override
    public String describe() {
        return "softmax " + shape.size() + " groups " + groups + " temperature " + temperature;
    }
}
