package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Locale;

/**
 * Darknet's {@code [dropout]} (cfg default probability 0.5): in a training pass each unit is dropped when
 * its uniform draw r satisfies {@code r < probability} and the kept ones are multiplied by
 * {@code scale = 1/(1 − probability)}; outside training it is the identity.
 *
 * <p>Darknet draws r from a sequential RNG and keeps it for the backward. Here r is a hash of
 * (pass seed, image in batch, channel, whole-map y, whole-map x), so every tile draws the same mask for
 * a position and the backward regenerates it: the layer is pointwise and tileable. The mask does not
 * depend on the layer, so two dropout layers of equal shape in one pass drop the same units.
 */
public final class Dropout implements Layer {
    private final Shape shape;
    private final float probability;
    /** Darknet computes {@code 1./(1.-probability)} in double and stores it as float. */
    private final float scale;

    public Dropout(Shape shape, float probability) {
        if (!(probability >= 0 && probability < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + probability);
        }
        this.shape = shape;
        this.probability = probability;
        this.scale = (float) (1.0 / (1.0 - probability));
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
    public boolean tileable() {
        return true;
    }

    @Override
    public Rect inputRegion(Rect out) {
        if (!shape.full().contains(out)) {
            throw new IllegalArgumentException(describe() + ": " + out + " is not inside the map " + shape.full());
        }
        return out;
    }

    @Override
    public Tensor forward(Tensor x, Rect out, Pass pass) {
        return masked(x, out, pass);
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        if (!x.rect.contains(dy.rect)) {
            throw new IllegalArgumentException(describe() + ": gradient over " + dy.rect + " is not inside the input "
                    + x.rect);
        }
        Tensor dx = Tensor.zeros(x.n, shape.c(), x.rect);
        dx.copyOverlap(masked(dy, dy.rect, pass));
        return dx;
    }

    /** {@code t} over {@code r}, with dropped units zeroed and kept ones scaled in a training pass. */
    private Tensor masked(Tensor t, Rect r, Pass pass) {
        if (t.c != shape.c() || !t.rect.contains(inputRegion(r))) {
            throw new IllegalArgumentException(describe() + ": needs " + shape.c() + " channels over " + r
                    + ", got " + t.c + " over " + t.rect);
        }
        Tensor o = t.crop(r);
        if (!pass.training()) {
            return o;
        }
        long seed = pass.seed();
        for (int b = 0; b < o.n; b++) {
            for (int ch = 0; ch < shape.c(); ch++) {
                for (int yy = r.y1(); yy <= r.y2(); yy++) {
                    int i = o.index(b, ch, yy, r.x1());
                    for (int xx = r.x1(); xx <= r.x2(); xx++, i++) {
                        o.data[i] = draw(seed, b, ch, yy, xx) < probability ? 0 : o.data[i] * scale;
                    }
                }
            }
        }
        return o;
    }

    /** A uniform draw in [0, 1) determined by the pass seed and the unit. */
    private static float draw(long seed, int image, int channel, int y, int x) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        h = mix(h ^ image);
        h = mix(h ^ channel);
        h = mix(h ^ y);
        h = mix(h ^ x);
        return (h >>> 40) * 0x1.0p-24f;
    }

    /** SplitMix64's finalizer: a bijection of 64-bit values with full avalanche. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "dropout p = %.2f", probability);
    }
}
