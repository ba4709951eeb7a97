package dev.tiletrain.ops.layers;

/**
 * One reusable float array per thread, so that the convolution's im2col buffer (megabytes per call) is
 * neither allocated nor zeroed on every call. A caller must finish with the array before anything on the
 * same thread asks for it again.
 */
final class Scratch {
    private static final ThreadLocal<float[]> ARRAY = ThreadLocal.withInitial(() -> new float[0]);

    private Scratch() {
    }

    /** This thread's array, grown to at least {@code size} floats; its contents are undefined. */
    static float[] floats(int size) {
        float[] a = ARRAY.get();
        if (a.length < size) {
            a = new float[size];
            ARRAY.set(a);
        }
        return a;
    }
}
