package dev.tiletrain.ops.gemm;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import java.util.logging.Logger;

/**
 * Which native GEMM this JVM uses, in this order: the system OpenBLAS through netlib's JNI (x86_64 and
 * aarch64 with {@code libopenblas0-pthread} installed; no copies), else the OpenBLAS bundled in the jar
 * (linux-arm64 and linux-armhf, so a Raspberry Pi on either OS needs nothing installed), else netlib's Java
 * fallback with a warning. The system property {@code tiletrain.gemm=netlib|bundled} forces one, to compare
 * them.
 */
final class EngineChoice {
    static final String PROPERTY = "tiletrain.gemm";

    private EngineChoice() {
    }

    /** The engine, logged once at INFO (java.util.logging), as netlib logs its own choice. */
    static Gemm pick() {
        Gemm engine = choose();
        Logger log = Logger.getLogger(EngineChoice.class.getName());
        log.info("GEMM: " + engine.backend());
        if (engine == NetlibGemm.INSTANCE && BLAS.getInstance() instanceof NativeBLAS
                && OpenBlasKernels.wideKernelsLeftToDetection()) {
            log.warning("this CPU has AVX-512 and OPENBLAS_CORETYPE is unset: an OpenBLAS older than the CPU (Debian 12's"
                    + " 0.3.21 on AMD Zen 4 and 5) runs its AVX2 kernels at half the speed; submit/ scripts export"
                    + " OPENBLAS_CORETYPE=SkylakeX (submit/openblas-core.sh), a JVM started otherwise needs it too");
        }
        return engine;
    }

    private static Gemm choose() {
        String forced = System.getProperty(PROPERTY, "");
        switch (forced) {
            case "netlib":
                return NetlibGemm.INSTANCE;
            case "bundled":
                return BundledOpenBlasGemm.load();
            case "":
                break;
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + " must be netlib or bundled, got '" + forced + "'");
        }
        if (BLAS.getInstance() instanceof NativeBLAS) {
            return NetlibGemm.INSTANCE;
        }
        Logger log = Logger.getLogger(EngineChoice.class.getName());
        try {
            return BundledOpenBlasGemm.load();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            // Netlib's Java fallbacks run 3–43 GFLOP/s on convolution shapes against OpenBLAS's 45–104 (README, Performance).
            log.warning("no native BLAS: neither a system OpenBLAS (apt-get install libopenblas0-pthread) nor one bundled"
                    + " for this platform (" + e + "); GEMM runs on the slow " + NetlibGemm.INSTANCE.backend());
            return NetlibGemm.INSTANCE;
        }
    }
}
