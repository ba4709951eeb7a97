package dev.tiletrain.ops.layers;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ChannelSums} by the Vector API: a round of 16 floats as four vectors of 4, widened to double, each
 * added into its own 4-lane accumulator, so that lane l of accumulator j holds partial sum 4j + l, as
 * {@link ChannelSums} orders them. Four lanes, AVX2's doubles, also under AVX-512 (where two 8-lane
 * accumulators ran the forward's sums in 0.5 ms against 0.7 on YOLOv2's layer-0 map: a second variant of
 * the code for a few hundredths of a step). Loaded only where the Vector API's module is present.
 */
final class VectorChannelSums {
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_256;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_128;
    private static final int LANES = 4;

    private VectorChannelSums() {
    }

    /**
     * True on x86-64 with 256-bit double vectors (AVX2, AVX-512) when C2 compiles this JVM's hot code: see
     * {@link ChannelSums}.
     */
    static boolean compilesToSimd() {
        String arch = System.getProperty("os.arch", "");
        return (arch.equals("amd64") || arch.equals("x86_64"))
                && DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= DOUBLES.vectorBitSize() && c2();
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
        DoubleVector s0 = DoubleVector.zero(DOUBLES), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
        int i = from;
        for (; i + ChannelSums.PARTIALS <= to; i += ChannelSums.PARTIALS) {
            DoubleVector v0 = widen(x, i), v1 = widen(x, i + LANES), v2 = widen(x, i + 2 * LANES), v3 = widen(x, i + 3 * LANES);
            s0 = s0.add(v0);
            s1 = s1.add(v1);
            s2 = s2.add(v2);
            s3 = s3.add(v3);
            q0 = q0.add(v0.mul(v0));
            q1 = q1.add(v1.mul(v1));
            q2 = q2.add(v2.mul(v2));
            q3 = q3.add(v3.mul(v3));
        }
        // Into arrays here: a vector handed to a method C2 does not inline is boxed, and the loop ran 7× slower.
        double[] sPartials = new double[ChannelSums.PARTIALS], qPartials = new double[ChannelSums.PARTIALS];
        s0.intoArray(sPartials, 0);
        s1.intoArray(sPartials, LANES);
        s2.intoArray(sPartials, 2 * LANES);
        s3.intoArray(sPartials, 3 * LANES);
        q0.intoArray(qPartials, 0);
        q1.intoArray(qPartials, LANES);
        q2.intoArray(qPartials, 2 * LANES);
        q3.intoArray(qPartials, 3 * LANES);
        ChannelSums.addLastRound(x, i, to, ChannelSums.total(sPartials), ChannelSums.total(qPartials), acc);
    }

    static void sumAndProducts(float[] dz, float[] x, int from, int to, float mu, float s, double[] acc) {
        DoubleVector g0 = DoubleVector.zero(DOUBLES), g1 = g0, g2 = g0, g3 = g0, p0 = g0, p1 = g0, p2 = g0, p3 = g0;
        int i = from;
        for (; i + ChannelSums.PARTIALS <= to; i += ChannelSums.PARTIALS) {
            DoubleVector d0 = widen(dz, i), d1 = widen(dz, i + LANES), d2 = widen(dz, i + 2 * LANES),
                    d3 = widen(dz, i + 3 * LANES);
            g0 = g0.add(d0);
            g1 = g1.add(d1);
            g2 = g2.add(d2);
            g3 = g3.add(d3);
            p0 = p0.add(d0.mul(normalized(x, i, mu, s)));
            p1 = p1.add(d1.mul(normalized(x, i + LANES, mu, s)));
            p2 = p2.add(d2.mul(normalized(x, i + 2 * LANES, mu, s)));
            p3 = p3.add(d3.mul(normalized(x, i + 3 * LANES, mu, s)));
        }
        double[] gPartials = new double[ChannelSums.PARTIALS], pPartials = new double[ChannelSums.PARTIALS];
        g0.intoArray(gPartials, 0);
        g1.intoArray(gPartials, LANES);
        g2.intoArray(gPartials, 2 * LANES);
        g3.intoArray(gPartials, 3 * LANES);
        p0.intoArray(pPartials, 0);
        p1.intoArray(pPartials, LANES);
        p2.intoArray(pPartials, 2 * LANES);
        p3.intoArray(pPartials, 3 * LANES);
        ChannelSums.setLastRound(dz, x, i, to, mu, s, ChannelSums.total(gPartials), ChannelSums.total(pPartials), acc);
    }

    /** a[i .. i + 4) as doubles. */
    private static DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(FLOATS, a, i).convertShape(VectorOperators.F2D, DOUBLES, 0);
    }

    /** x̂ = (x − mu)/s of x[i .. i + 4), in float as the scalar loop computes it, then as doubles. */
    private static DoubleVector normalized(float[] x, int i, float mu, float s) {
        return (DoubleVector) FloatVector.fromArray(FLOATS, x, i).sub(mu).div(s).convertShape(VectorOperators.F2D, DOUBLES, 0);
    }
}
