package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API's sums against the scalar loops, on runs of every length around a round of 16, at odd offsets,
 * of values of mixed sign and magnitude: the same bits (a cluster's JVMs may sum either way), and the true sums
 * within 1e-12 of the terms' magnitudes (a double sum of n terms is off by at most n·2⁻⁵³ of that).
 */
class ChannelSumsTest {
    private static final double TOLERANCE = 1e-12;

    static Stream<Arguments> runs() {
        // Every length up to four rounds of 16 and past, then plane-sized ones; seeds fixed per case.
        return Stream.concat(IntStream.rangeClosed(0, 70).boxed(), Stream.of(169, 676, 2704, 10_816, 173_056))
                .map(n -> Arguments.of(n, n % 5, (long) n));
    }

    @ParameterizedTest
    @MethodSource("runs")
    void sumAndSquaresAgreeWithTheScalarLoops(int length, int offset, long seed) {
        Random random = new Random(seed);
        float[] x = values(random, offset + length + 3);
        double[] scalar = {0.5, -0.25}, vector = {0.5, -0.25};
        ChannelSums.scalarSumAndSquares(x, offset, offset + length, scalar);
        VectorChannelSums.sumAndSquares(x, offset, offset + length, vector);
        assertArrayEquals(scalar, vector, "the same bits");
        double sum = 0.5, magnitude = 0.5, squares = -0.25, squaresMagnitude = 0.25;
        for (int i = offset; i < offset + length; i++) {
            sum += x[i];
            magnitude += Math.abs(x[i]);
            squares += (double) x[i] * x[i];
            squaresMagnitude += (double) x[i] * x[i];
        }
        assertEquals(sum, vector[0], TOLERANCE * magnitude, "Σx");
        assertEquals(squares, vector[1], TOLERANCE * squaresMagnitude, "Σx²");
    }

    @ParameterizedTest
    @MethodSource("runs")
    void sumAndProductsAgreeWithTheScalarLoops(int length, int offset, long seed) {
        Random random = new Random(seed);
        float[] dz = values(random, offset + length + 3), x = values(random, offset + length + 3);
        float mu = 0.3f, s = 1.7f;
        double[] scalar = {9, 9}, vector = {-9, -9};
        ChannelSums.scalarSumAndProducts(dz, x, offset, offset + length, mu, s, scalar);
        VectorChannelSums.sumAndProducts(dz, x, offset, offset + length, mu, s, vector);
        assertArrayEquals(scalar, vector, "the same bits");
        double sum = 0, magnitude = 0, products = 0, productsMagnitude = 0;
        for (int i = offset; i < offset + length; i++) {
            double product = dz[i] * (double) ((x[i] - mu) / s);
            sum += dz[i];
            magnitude += Math.abs(dz[i]);
            products += product;
            productsMagnitude += Math.abs(product);
        }
        assertEquals(sum, vector[0], TOLERANCE * magnitude, "Σdz");
        assertEquals(products, vector[1], TOLERANCE * productsMagnitude, "Σdz·x̂");
    }

    /** The build runs on x86-64 with AVX2 or AVX-512 and adds the module (surefire's argLine): its tests sum by the Vector API. */
    @Test
    void theBuildsJvmSumsByTheVectorApi() {
        assertTrue(ChannelSums.VECTOR, "jdk.incubator.vector absent or os.arch " + System.getProperty("os.arch"));
    }

    /** Gaussian values scaled by 2^k for k in [−8, 8], a few exact zeros. */
    private static float[] values(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(16) == 0 ? 0 : (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(17) - 8));
        }
        return v;
    }
}
