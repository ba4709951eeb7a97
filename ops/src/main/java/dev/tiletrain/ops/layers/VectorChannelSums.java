package dev.tiletrain.ops.layers;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ChannelSums} by the Vector API: floats loaded as many at a time as the CPU's widest double vector has
 * lanes, widened to double, summed lane-wise into two accumulators per sum (to overlap the additions), the
 * lanes added at the end. Loaded only where the Vector API's module is present.
 */
final class VectorChannelSums {
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    /** Floats with as many lanes as {@link #DOUBLES}: one load widens into one double vector. */
    private static final VectorSpecies<Float> FLOATS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLES.vectorBitSize() / 2));
    private static final int LANES = DOUBLES.length();

    private VectorChannelSums() {
    }

    /**
     * True on x86-64 with 256-bit or wider double vectors (AVX2, AVX-512) when C2 compiles this JVM's hot code:
     * see {@link ChannelSums}.
     */
    static boolean compilesToSimd() {
        String arch = System.getProperty("os.arch", "");
        return (arch.equals("amd64") || arch.equals("x86_64")) && DOUBLES.vectorBitSize() >= 256 && c2();
    }

    /**
     * False in a HotSpot JVM that stops at C1 ({@code -XX:TieredStopAtLevel=1..3}, as the integration tests' JVMs
     * do) or only interprets ({@code -Xint}), and in a JVM that is not HotSpot: C1 and the interpreter run the
     * Vector API as Java objects per operation, 200–300× slower than the scalar loops (ChannelSumsBenchmark with
     * {@code -jvmArgsAppend "--add-modules=jdk.incubator.vector -XX:TieredStopAtLevel=1"}).
     */
    private static boolean c2() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (vm == null || System.getProperty("java.vm.info", "").contains("interpreted")) {
            return false;
        }
        return !Boolean.parseBoolean(vm.getVMOption("TieredCompilation").getValue())
                || vm.getVMOption("TieredStopAtLevel").getValue().equals("4");
    }

    static void sumAndSquares(float[] x, int from, int to, double[] acc) {
        DoubleVector s0 = DoubleVector.zero(DOUBLES), s1 = s0, q0 = s0, q1 = s0;
        int i = from;
        for (; i + 2 * LANES <= to; i += 2 * LANES) {
            DoubleVector v0 = widen(x, i), v1 = widen(x, i + LANES);
            s0 = s0.add(v0);
            s1 = s1.add(v1);
            q0 = q0.add(v0.mul(v0));
            q1 = q1.add(v1.mul(v1));
        }
        double s = s0.add(s1).reduceLanes(VectorOperators.ADD), q = q0.add(q1).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            double v = x[i];
            s += v;
            q += v * v;
        }
        acc[0] += s;
        acc[1] += q;
    }

    static void sumAndProducts(float[] dz, float[] x, int from, int to, float mu, float s, double[] acc) {
        DoubleVector s0 = DoubleVector.zero(DOUBLES), s1 = s0, p0 = s0, p1 = s0;
        int i = from;
        for (; i + 2 * LANES <= to; i += 2 * LANES) {
            DoubleVector g0 = widen(dz, i), g1 = widen(dz, i + LANES);
            s0 = s0.add(g0);
            s1 = s1.add(g1);
            p0 = p0.add(g0.mul(normalized(x, i, mu, s)));
            p1 = p1.add(g1.mul(normalized(x, i + LANES, mu, s)));
        }
        double sum = s0.add(s1).reduceLanes(VectorOperators.ADD), products = p0.add(p1).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            double g = dz[i];
            sum += g;
            products += g * ((x[i] - mu) / s);
        }
        acc[0] = sum;
        acc[1] = products;
    }

    /** a[i .. i + LANES) as doubles. */
    private static DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(FLOATS, a, i).convertShape(VectorOperators.F2D, DOUBLES, 0);
    }

    /** x̂ = (x − mu)/s of x[i .. i + LANES), in float as the scalar loop computes it, then as doubles. */
    private static DoubleVector normalized(float[] x, int i, float mu, float s) {
        return (DoubleVector) FloatVector.fromArray(FLOATS, x, i).sub(mu).div(s).convertShape(VectorOperators.F2D, DOUBLES, 0);
    }
}
