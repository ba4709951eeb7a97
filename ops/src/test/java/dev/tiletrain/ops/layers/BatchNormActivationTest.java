package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tiletrain.ops.layers.Activation.Kind;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A batch norm carrying its block's activation, against the two layers one after the other. */
class BatchNormActivationTest {
    static Stream<Arguments> cases() {
        Shape[] shapes = {new Shape(3, 5, 7), new Shape(2, 4, 3), new Shape(4, 1, 9), new Shape(1, 70, 80)};
        Kind[] kinds = {Kind.LEAKY, Kind.LOGISTIC, Kind.TANH, Kind.RELU, Kind.LINEAR};
        Stream.Builder<Arguments> cases = Stream.builder();
        int k = 0;
        for (BatchNorm.Mode mode : BatchNorm.Mode.values()) {
            for (BatchNorm.Backward backward : BatchNorm.Backward.values()) {
                for (Kind kind : kinds) {
                    cases.add(Arguments.of(kind, mode, backward, shapes[k % shapes.length], 1 + k % 3, 300L + k));
                    k++;
                }
            }
        }
        return cases.build();
    }

    /**
     * Forward, input gradient, parameter gradients and the tiled backward's local sums are the same floats as
     * batch norm alone followed by an {@link Activation} layer: over the whole map and, for frozen statistics
     * (no synchronisation), over a tile's rectangle inside a wider input. The 1×70×80 map's planes are longer than
     * the forward's chunk.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void isBatchNormThenActivationBitForBit(Kind kind, BatchNorm.Mode mode, BatchNorm.Backward backward, Shape shape,
                                            int batch, long seed) {
        BatchNorm fused = new BatchNorm(shape, mode, backward, kind);
        BatchNorm alone = new BatchNorm(shape, mode, backward, Kind.LINEAR);
        Activation activation = new Activation(shape, kind);
        GradientCheck check = new GradientCheck(fused, batch, GradientCheck.training(), seed);
        check.randomizeParams();
        for (int p = 0; p < fused.params().size(); p++) {
            float[] from = fused.params().get(p).value;
            System.arraycopy(from, 0, alone.params().get(p).value, 0, from.length);
        }
        Tensor x = check.randomInput();
        Random random = new Random(seed);
        Rect all = shape.full();
        Rect inner = new Rect(random.nextInt(shape.w()), random.nextInt(shape.h()), shape.w() - 1, shape.h() - 1);
        for (Rect r : mode == BatchNorm.Mode.SYNC ? new Rect[] {all} : new Rect[] {all, inner}) {
            WholeMapPass one = new WholeMapPass(true, 1), two = new WholeMapPass(true, 1);
            Tensor y = fused.forward(x, r, one);
            Tensor z = alone.forward(x, r, two);
            Tensor expectedY = activation.forward(z, r, two);
            assertArrayEquals(expectedY.data, y.data, "forward over " + r);

            Tensor dy = Tensor.zeros(batch, shape.c(), r);
            for (int i = 0; i < dy.data.length; i++) {
                dy.data[i] = random.nextFloat() * 2 - 1;
            }
            Tensor dz = activation.backward(z, expectedY, dy, two);
            BatchNorm.Stats st = one.statistics(fused, x);
            assertSums(alone.localSums(x, z, dz, st), fused.localSums(x, y, dy, st));
            Tensor expectedDx = alone.backward(x, z, dz, two);
            Tensor dx = fused.backward(x, y, dy, one);
            assertArrayEquals(expectedDx.data, dx.data, "input gradient over " + r);
            for (Param p : fused.params()) {
                if (p.role.trainable) {
                    assertArrayEquals(two.grad(alone.params().get(fused.params().indexOf(p))), one.grad(p), p + " over " + r);
                }
            }
        }
    }

    /**
     * The cases with the exact backward (Darknet's is not the forward's gradient: BatchNormDarknetBackwardTest) on
     * the small maps: over the 70×80 plane a finite step of γ moves dozens of outputs across relu's kink at once.
     */
    static Stream<Arguments> exactCases() {
        return cases().filter(a -> a.get()[2] == BatchNorm.Backward.EXACT && ((Shape) a.get()[3]).size() < 100);
    }

    /** The exact gradient of the fused forward, with the activation's kinks stepped over as for the activation alone. */
    @ParameterizedTest
    @MethodSource("exactCases")
    void gradientIsExact(Kind kind, BatchNorm.Mode mode, BatchNorm.Backward backward, Shape shape, int batch, long seed) {
        BatchNorm fused = new BatchNorm(shape, mode, backward, kind);
        GradientCheck check = new GradientCheck(fused, batch, GradientCheck.training(), seed);
        check.randomizeParams();
        check.run();
    }

    private static void assertSums(BatchNorm.BackwardSums expected, BatchNorm.BackwardSums actual) {
        assertArrayEquals(expected.sumDy(), actual.sumDy());
        assertArrayEquals(expected.sumDyXhat(), actual.sumDyXhat());
    }
}
