package dev.tiletrain.ops.gemm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which of OpenBLAS's kernels this JVM asked for, and whether the CPU would take wider ones. OpenBLAS picks its
 * kernels once, when it loads, from the CPU or from {@code OPENBLAS_CORETYPE}; Debian 12's 0.3.21 takes AMD's
 * Zen 4 and Zen 5 for Haswell and runs AVX2 kernels there, half of what a Zen 5 core does with its AVX-512
 * ones (sgemm 2048³, one thread: 104–107 GFLOP/s against 200–202 with {@code OPENBLAS_CORETYPE=SkylakeX},
 * 2026-12-07). {@code submit/openblas-core.sh} sets it for the scripts' JVMs; the Spark driver hands it on to
 * its executors.
 */
public final class OpenBlasKernels {
    /** OpenBLAS's names of the cores whose sgemm kernels are AVX-512 (any case). */
    private static final Set<String> AVX512_CORES = Set.of("skylakex", "cooperlake", "sapphirerapids");
    /** The CPU flags SkylakeX's kernels need (as /proc/cpuinfo names them). */
    private static final List<String> AVX512_FLAGS = List.of("avx512f", "avx512bw", "avx512dq", "avx512vl");

    private OpenBlasKernels() {
    }

    /** True when this JVM's environment asks OpenBLAS for AVX-512 kernels ({@code OPENBLAS_CORETYPE}). */
    public static boolean avx512Requested() {
        String core = System.getenv("OPENBLAS_CORETYPE");
        return core != null && AVX512_CORES.contains(core.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * True when nothing chose OpenBLAS's kernels and this is an x86_64 Linux CPU with the AVX-512 subsets that
     * SkylakeX's kernels use: an OpenBLAS older than the CPU may then run AVX2 kernels at half speed.
     */
    static boolean wideKernelsLeftToDetection() {
        String core = System.getenv("OPENBLAS_CORETYPE");
        if (core != null && !core.isBlank() || !"amd64".equals(System.getProperty("os.arch"))) {
            return false;
        }
        try {
            String flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("flags")).findFirst().orElse("");
            return AVX512_FLAGS.stream().allMatch(f -> (" " + flags + " ").contains(" " + f + " "));
        } catch (IOException e) {
            return false; // not Linux, or no /proc: nothing to suggest
        }
    }
}
