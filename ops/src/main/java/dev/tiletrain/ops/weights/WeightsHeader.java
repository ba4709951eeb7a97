package dev.tiletrain.ops.weights;

/**
 * The header of a Darknet {@code .weights} file: three int32 (major, minor, revision) and {@code seen}, the
 * number of images trained on. As in Darknet's {@code load_weights_upto}, {@code seen} is a uint64 when
 * {@code major*10 + minor >= 2} and both are below 1000, else an int32; a major or minor above 1000 marks
 * connected weights stored transposed. {@code seen} holds the stored bits: a uint64 as its two's-complement
 * long, an int32 sign-extended.
 */
public record WeightsHeader(int major, int minor, int revision, long seen) {
    /** What {@link #known()} accepts, for messages. */
    static final String KNOWN_VERSIONS = "0.0 to 0.2 with any revision, major or minor 1001 to 1999 for transposed connected weights";

    /** What Darknet's {@code save_weights} writes: version 0.2.0 with a 64-bit {@code seen}. */
    public static WeightsHeader darknet(long seen) {
        return new WeightsHeader(0, 2, 0, seen);
    }

    public WeightsHeader {
        if (!wideSeen(major, minor) && seen != (int) seen) {
            throw new IllegalArgumentException("version " + major + "." + minor + " stores seen in 32 bits, " + seen + " does not fit");
        }
    }

    /** True when {@code seen} is stored as 8 bytes. */
    public boolean wideSeen() {
        return wideSeen(major, minor);
    }

    /**
     * A version Darknet writes: 0.1.0 (32-bit {@code seen}), 0.2.0 (pjreddie's) or 0.2.5 (AlexeyAB's fork), or
     * Darknet's marker for transposed connected weights (major or minor above 1000). The bound of 2000 on the
     * marker and of 2 on the minor refuse a header of random bytes, which would otherwise be read as a version
     * whose {@code seen} takes 4 bytes and shift every float after it.
     */
    public boolean known() {
        boolean majorOk = major == 0 || marker(major), minorOk = minor >= 0 && minor <= 2 || marker(minor);
        return majorOk && minorOk && revision >= 0;
    }

    private static boolean marker(int v) {
        return v > 1000 && v < 2000;
    }

    /** True when connected layers' weights are stored transposed (inputs × outputs). */
    public boolean transposed() {
        return major > 1000 || minor > 1000;
    }

    /** Bytes the header takes in the file. */
    public int bytes() {
        return 12 + (wideSeen() ? 8 : 4);
    }

    private static boolean wideSeen(int major, int minor) {
        return (long) major * 10 + minor >= 2 && major < 1000 && minor < 1000;
    }
}
