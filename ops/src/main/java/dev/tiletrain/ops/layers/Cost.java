package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;

/**
 * Darknet's {@code [cost]} with {@code type=sse} (cfg defaults type=sse, scale=1). The forward is the
 * identity (Darknet's network output skips the cost layer).
 *
 * <p>{@link #loss} matches Darknet's {@code l2_cpu} and {@code backward_cost_layer}: the cost is
 * {@code Σ (t − x)²} over the batch, unscaled, summed in float; the delta is {@code t − x}, passed down
 * multiplied by {@code scale}. The gradient returned is that delta negated, {@code scale·(x − t)}: the
 * exact derivative of {@code scale·½·Σ(x − t)²}, not of the printed cost (which would be {@code 2(x − t)}).
 */
public final class Cost implements VectorTargetLoss {
    private final Shape shape;
    private final float scale;

    public Cost(Shape shape, float scale) {
        this.shape = shape;
        this.scale = scale;
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
        return x.copy();
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        requireWholeGradient(x, dy);
        return dy.copy();
    }

    @Override
    public Loss loss(Tensor x, Truth truth, Pass pass) {
        requireTargets(x, truth);
        Tensor gradient = Tensor.zeros(x.n, shape);
        float cost = 0;
        for (int i = 0; i < x.data.length; i++) {
            float delta = truth.values()[i] - x.data[i];
            cost += delta * delta;
            gradient.data[i] = -(scale * delta);
        }
        return new Loss(cost, gradient);
    }

    @Override
    public String describe() {
        return "cost sse scale " + scale;
    }
}
