package dev.tiletrain.ops.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine a JVM picks, and the property that forces one. */
class EngineChoiceTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(EngineChoice.PROPERTY);
    }

    @Test
    void prefersTheSystemOpenBlasThroughNetlibElseTheBundledOne() {
        String core = OpenBlasKernels.coreType();
        String expected = BLAS.getInstance() instanceof NativeBLAS
                ? "netlib JNIBLAS (native" + (core == null ? "" : ", OPENBLAS_CORETYPE=" + core) + ")"
                : "OpenBLAS bundled in the jar (JavaCPP, linux-x86_64)";
        assertEquals(expected, EngineChoice.pick().backend());
    }

    @Test
    void thePropertyForcesTheBundledOpenBlas() {
        System.setProperty(EngineChoice.PROPERTY, "bundled");
        String backend = EngineChoice.pick().backend();
        assertEquals("OpenBLAS bundled in the jar (JavaCPP, linux-x86_64)", backend);
    }

    @Test
    void anUnknownEngineIsRefusedByName() {
        System.setProperty(EngineChoice.PROPERTY, "mkl");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, EngineChoice::pick);
        assertEquals("-Dtiletrain.gemm must be netlib or bundled, got 'mkl'", e.getMessage());
    }
}
