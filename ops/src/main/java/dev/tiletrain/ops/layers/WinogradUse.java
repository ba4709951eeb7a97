package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.gemm.OpenBlasKernels;
import java.util.Locale;

/**
 * Which convolutions compute their forward and input gradient by {@link Winograd}'s F(2×2, 3×3) instead of
 * im2col and GEMM: every 3×3, stride-1 layer with at least {@link #MIN_CHANNELS} channels in and out and
 * {@link #MIN_POSITIONS} output positions in a call ({@code auto}, the default), every 3×3, stride-1 layer
 * ({@code all}: what tests use to run small layers through it), or none ({@code off}). Under {@code auto} the
 * weight gradient takes Winograd's algorithm only where in × out channels reach {@link #MIN_CHANNEL_PAIRS}.
 * Set for the JVM with {@code -Dtiletrain.winograd=auto|all|off} (Spark: the executors' and the driver's
 * extraJavaOptions).
 *
 * <p>Without it the choice is {@code auto} where OpenBLAS runs AVX2 kernels (what the thresholds below were
 * measured with), and {@code off} where it runs AVX-512 ones ({@link OpenBlasKernels}): twice as fast a GEMM
 * leaves Winograd's transforms, which are bound by memory, costing more than its 16 smaller GEMMs save. Measured
 * on a Zen 5 VM with {@code OPENBLAS_CORETYPE=SkylakeX} (2026-12-07, {@code tiletrain bench}, one image, median
 * ms, {@code auto} against {@code off}): YOLOv2 layers 0–15 309 against 303 on one thread, 223 against 199 on
 * two; tiny-YOLO 222 against 198, 164 against 142. The driver hands {@code OPENBLAS_CORETYPE} to its executors,
 * so every process of a run makes the same choice.
 */
public enum WinogradUse {
    OFF, AUTO, ALL;

    /**
     * Fewer channels than this make the 16 GEMMs too thin to gain: measured at one thread, one image, 16 → 32
     * channels at 208² took 6.9 ms against im2col's 6.0 (forward; input gradient 7.3 against 6.7), 32 → 64 at
     * 104² 4.5 against 5.2. The first layer's 3 input channels are far below it.
     */
    public static final int MIN_CHANNELS = 32;
    /**
     * Fewer output positions (images × rectangle) than this leave the filters' transform, which is per call and
     * as large as the weights, costing more than the GEMMs save: measured at one thread, 13×13 maps of one
     * image (512 → 1024 channels: 20.7 ms against im2col's 18.0) lose, 26×26 ones (256 → 512: 14.9 against
     * 17.9) and four 13×13 images (58.9 against 71.9) gain.
     */
    public static final int MIN_POSITIONS = 512;
    /**
     * Fewer pairs of input and output channels than this leave the weight gradient's transforms (of the input and
     * of the output gradient, both as large as the maps) costing more than its 16 GEMMs save. Measured at one
     * thread, one image, im2col against Winograd: 32 → 64 channels at 208² 20.3 against 39.1 ms, 64 → 128 at 104²
     * 18.2 against 22.5, 128 → 256 at 52² 16.6 against 15.5, 256 → 512 at 26² 16.4 against 14.1; four 13² images
     * of 1024 → 1024: 130.1 against 111.7.
     */
    public static final int MIN_CHANNEL_PAIRS = 128 * 256;

    private static final WinogradUse JVM_DEFAULT = parse(System.getProperty("tiletrain.winograd",
            OpenBlasKernels.avx512() ? "off" : "auto"));
    private static volatile WinogradUse current = JVM_DEFAULT;

    /** This JVM's choice when nothing {@link #set} another: the system property's, else by OpenBLAS's kernels. */
    public static WinogradUse jvmDefault() {
        return JVM_DEFAULT;
    }

    /** This JVM's choice. */
    public static WinogradUse current() {
        return current;
    }

    /** Sets this JVM's choice; takes effect at the layers' next call. */
    public static void set(WinogradUse use) {
        current = use;
    }

    /** {@code off}, {@code auto} or {@code all}, in any case. */
    public static WinogradUse parse(String value) {
        for (WinogradUse u : values()) {
            if (u.name().equalsIgnoreCase(value.trim())) {
                return u;
            }
        }
        throw new IllegalArgumentException("tiletrain.winograd must be off, auto or all, got '" + value + "'");
    }

    /**
     * True when a convolution of this geometry, over {@code positions} output positions (images × rectangle),
     * uses Winograd's algorithm under this choice.
     */
    public boolean applies(int size, int stride, int inChannels, int outChannels, long positions) {
        return size == 3 && stride == 1 && (this == ALL || this == AUTO && inChannels >= MIN_CHANNELS
                && outChannels >= MIN_CHANNELS && positions >= MIN_POSITIONS);
    }

    /** As {@link #applies}, for the weight gradient. */
    public boolean appliesToWeightGradient(int size, int stride, int inChannels, int outChannels, long positions) {
        return applies(size, stride, inChannels, outChannels, positions)
                && (this == ALL || (long) inChannels * outChannels >= MIN_CHANNEL_PAIRS);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
