package dev.tiletrain.ops.gemm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether this JVM's OpenBLAS runs AVX-512 sgemm kernels, as far as the environment and the CPU tell without
 * timing anything (so that every process of a run, which shares the environment, concludes the same). OpenBLAS
 * picks its kernels once, when it loads: those {@code OPENBLAS_CORETYPE} names, else those it detects, which on a
 * CPU with AVX-512 are AVX-512 ones (0.3.21, Debian 12's, took a Zen 5 VM for Cooperlake). They double a Zen 5
 * core's sgemm: 2048³ on one thread ran 104–107 GFLOP/s with Haswell's AVX2 kernels and 197–202 with SkylakeX's
 * or Cooperlake's (2026-12-07). An OpenBLAS older than its CPU can detect less than the CPU has (0.3.21 is said to
 * take AMD's Zen 4 for Zen, with AVX2 kernels): there this guesses wrong, which costs speed, not results.
 */
public final class OpenBlasKernels {
    /** OpenBLAS's names of the cores whose sgemm kernels are AVX-512 (any case). */
    private static final Set<String> AVX512_CORES = Set.of("skylakex", "cooperlake", "sapphirerapids");
    /** The CPU flags SkylakeX's kernels need (as /proc/cpuinfo names them). */
    private static final List<String> AVX512_FLAGS = List.of("avx512f", "avx512bw", "avx512dq", "avx512vl");

    private OpenBlasKernels() {
    }

    /** True when OpenBLAS runs AVX-512 sgemm kernels in this JVM: see the class comment. */
    public static boolean avx512() {
        String flags = "";
        try {
            if ("amd64".equals(System.getProperty("os.arch"))) {
                flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                        .filter(l -> l.startsWith("flags")).findFirst().orElse("");
            }
        } catch (IOException e) {
            // no /proc: not Linux, where the bundled OpenBLAS serves ARM only
        }
        return avx512(System.getenv("OPENBLAS_CORETYPE"), flags);
    }

    /** As {@link #avx512()} given {@code OPENBLAS_CORETYPE} (null when unset) and the CPU's flags line ("" off x86_64). */
    static boolean avx512(String coreType, String cpuFlags) {
        if (coreType != null && !coreType.isBlank()) {
            return AVX512_CORES.contains(coreType.trim().toLowerCase(Locale.ROOT));
        }
        return AVX512_FLAGS.stream().allMatch(f -> (" " + cpuFlags + " ").contains(" " + f + " "));
    }
}
