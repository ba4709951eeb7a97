package dev.tiletrain.ops.gemm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OpenBlasKernelsTest {
    /** The flags line of the Zen 5 VM this was measured on, shortened. */
    private static final String ZEN5 = "flags\t\t: fpu sse sse2 avx fma avx2 avx512f avx512dq avx512ifma avx512cd avx512bw"
            + " avx512vl avx512_bf16 avx512vbmi";
    private static final String AVX2_ONLY = "flags\t\t: fpu sse sse2 avx fma avx2";

    @Test
    void aNamedCoreDecidesWhateverTheCpu() {
        assertFalse(OpenBlasKernels.avx512("Haswell", ZEN5), "this machine's environment pins Haswell");
        assertTrue(OpenBlasKernels.avx512("SkylakeX", AVX2_ONLY));
        assertTrue(OpenBlasKernels.avx512(" cooperlake ", ""));
        assertTrue(OpenBlasKernels.avx512("SAPPHIRERAPIDS", ""));
        assertFalse(OpenBlasKernels.avx512("Zen", ZEN5));
    }

    @Test
    void unsetItFollowsTheCpusAvx512Subsets() {
        assertTrue(OpenBlasKernels.avx512(null, ZEN5));
        assertTrue(OpenBlasKernels.avx512("  ", ZEN5));
        assertFalse(OpenBlasKernels.avx512(null, AVX2_ONLY));
        assertFalse(OpenBlasKernels.avx512(null, ZEN5.replace(" avx512bw", "")), "SkylakeX's kernels need BW");
        assertFalse(OpenBlasKernels.avx512(null, ""), "not x86_64");
    }
}
