package dev.tiletrain.job.rdd;

import java.io.Serializable;

/**
 * The running sum of flat gradient vectors, for {@code treeAggregate(new GradientSum(), GradientSum::add,
 * GradientSum::merge, depth)}. The zero value allocates nothing: treeAggregate ships its zero in every
 * task's closure, and a zero holding the whole vector makes each task as large as the model (measured:
 * an 8 MiB task binary for a 4 MB vector).
 */
public final class GradientSum implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Null until the first partial arrives. */
    private float[] sum;
    private long parts;

    /** Adds one partial gradient; the partial is copied, so a cached record is never written to. */
    public GradientSum add(float[] partial) {
        if (sum == null) {
            sum = partial.clone();
        } else {
            requireLength(partial.length);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += partial[i];
            }
        }
        parts++;
        return this;
    }

    /** Adds another sum into this one; the other is consumed (its vector may become this one's). */
    public GradientSum merge(GradientSum other) {
        if (other.sum != null) {
            if (sum == null) {
                sum = other.sum;
            } else {
                requireLength(other.sum.length);
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += other.sum[i];
                }
            }
        }
        parts += other.parts;
        return this;
    }

    /** How many partial gradients went into the sum. */
    public long parts() {
        return parts;
    }

    public float[] sum() {
        if (sum == null) {
            throw new IllegalStateException("no partial gradient was added");
        }
        return sum;
    }

    private void requireLength(int length) {
        if (length != sum.length) {
            throw new IllegalArgumentException("a partial gradient of " + length + " values cannot add to a sum of "
                    + sum.length);
        }
    }
}
