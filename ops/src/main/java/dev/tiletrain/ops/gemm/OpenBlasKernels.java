package dev.tiletrain.ops.gemm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

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

    /** {@code OPENBLAS_CORETYPE} of this JVM's environment, or null when unset or blank (OpenBLAS then detects). */
    public static String coreType() {
        String core = System.getenv("OPENBLAS_CORETYPE");
        return core == null || core.isBlank() ? null : core;
    }

    /** True when OpenBLAS runs AVX-512 sgemm kernels in this JVM: see the class comment. */
    public static boolean avx512() {
        String core = coreType();
        return avx512(core, core == null ? cpuFlags() : "");
    }

    /** The flags line of /proc/cpuinfo on x86_64 Linux, else "". */
    private static String cpuFlags() {
        if (!"amd64".equals(System.getProperty("os.arch"))) {
            return "";
        }
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags")).findFirst().orElse("");
        } catch (IOException | UncheckedIOException e) {
            return ""; // no /proc: not Linux
        }
    }

    /** As {@link #avx512()} given {@code OPENBLAS_CORETYPE} (null when unset) and the CPU's flags line ("" off x86_64). */
    static boolean avx512(String coreType, String cpuFlags) {
        if (coreType != null && !coreType.isBlank()) {
            return AVX512_CORES.contains(coreType.trim().toLowerCase(Locale.ROOT));
        }
        return AVX512_FLAGS.stream().allMatch(f -> (" " + cpuFlags + " ").contains(" " + f + " "));
    }
}
