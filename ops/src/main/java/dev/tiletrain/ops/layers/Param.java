package dev.tiletrain.ops.layers;

/**
 * A parameter array of a layer. The layer owns {@code value}; the optimizer updates it in place and
 * gradients live in the {@link Pass}, so many tiles can share one layer.
 */
public final class Param {
    /** What a parameter is, which decides how Darknet stores and updates it. */
    public enum Role {
        WEIGHTS(true, true), BIASES(true, false), SCALES(true, false),
        ROLLING_MEAN(false, false), ROLLING_VARIANCE(false, false);

        /** Updated by SGD from a gradient. */
        public final boolean trainable;
        /** Weight decay applies (Darknet decays weights, not biases or scales). */
        public final boolean decayed;

        Role(boolean trainable, boolean decayed) {
            this.trainable = trainable;
            this.decayed = decayed;
        }
    }

    public final Role role;
    public final float[] value;

    public Param(Role role, float[] value) {
        this.role = role;
        this.value = value;
    }

    public Param(Role role, int size) {
        this(role, new float[size]);
    }

    public int size() {
        return value.length;
    }

    @Override
    public String toString() {
        return role.name().toLowerCase() + "[" + value.length + "]";
    }
}
