package dev.tiletrain.data;

/**
 * A small counter-based random stream (SplitMix64) whose seed is a hash of keys, e.g. (seed, epoch, iteration,
 * image). Every device that derives a stream from the same keys draws the same numbers, in any JVM, without
 * shared state; java.util.Random would tie the draws to the order in which a process happened to ask.
 */
public final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    private Rng(long state) {
        this.state = state;
    }

    public static Rng of(long... keys) {
        long s = GOLDEN;
        for (long k : keys) {
            s = mix(s ^ mix(k + GOLDEN));
        }
        return new Rng(s);
    }

    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in [0, 1), 24 bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in 0 .. n-1 (multiply-shift; the bias is below n / 2^31). */
    public int below(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("below(" + n + ")");
        }
        return (int) (((nextLong() >>> 33) * n) >>> 31);
    }

    /** Darknet's {@code rand_uniform}: uniform between the two bounds, in either order. */
    public float uniform(float a, float b) {
        float min = Math.min(a, b), max = Math.max(a, b);
        return nextFloat() * (max - min) + min;
    }

    /** Darknet's {@code rand_scale}: a factor between 1 and s, or its reciprocal, each half of the time. */
    public float scale(float s) {
        float scale = uniform(1, s);
        return below(2) == 1 ? scale : (float) (1. / scale);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
