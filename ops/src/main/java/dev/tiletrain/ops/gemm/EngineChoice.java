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
        Logger.getLogger(EngineChoice.class.getName()).info("GEMM: " + engine.backend());
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
