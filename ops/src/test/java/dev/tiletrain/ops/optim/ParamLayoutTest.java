package dev.tiletrain.ops.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.parallel.ComputeThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParamLayoutTest {
    private final Param w = new Param(Param.Role.WEIGHTS, new float[] {1, 2, 3});
    private final Param b = new Param(Param.Role.BIASES, new float[] {4});
    private final Param m = new Param(Param.Role.ROLLING_MEAN, new float[] {5, 6});

    @Test
    void rangesFollowTheListOrder() {
        ParamLayout layout = ParamLayout.ofEntries(List.of(new ParamLayout.Entry(w, 1), new ParamLayout.Entry(b, .5f),
                new ParamLayout.Entry(m, 1)));
        assertEquals(6, layout.size());
        assertEquals(List.of(new ParamLayout.Range(Param.Role.WEIGHTS, 0, 3, 1), new ParamLayout.Range(Param.Role.BIASES, 3, 1, .5f),
                new ParamLayout.Range(Param.Role.ROLLING_MEAN, 4, 2, 1)), layout.ranges());
    }

    @Test
    void flattenAndUnflattenRoundTrip() {
        ParamLayout layout = ParamLayout.of(List.of(w, b, m));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, layout.flatten());
        layout.unflatten(new float[] {10, 20, 30, 40, 50, 60});
        assertArrayEquals(new float[] {10, 20, 30}, w.value);
        assertArrayEquals(new float[] {40}, b.value);
        assertArrayEquals(new float[] {50, 60}, m.value);
    }

    @Test
    void flattenFromASourceTakesNullAsZeros() {
        ParamLayout layout = ParamLayout.of(List.of(w, b, m));
        Map<Param, float[]> grads = Map.of(b, new float[] {7});
        assertArrayEquals(new float[] {0, 0, 0, 7, 0, 0}, layout.flatten(grads::get));
    }

    /** Cut among compute threads by position, a parameter's floats can land in several parts. */
    @ParameterizedTest
    @CsvSource({"2", "3"})
    void flattenOnSeveralThreadsIsTheConcatenation(int threads) {
        Random r = new Random(threads);
        List<Param> params = new ArrayList<>();
        List<Float> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            float[] v = new float[1 + r.nextInt(40_000)];
            for (int j = 0; j < v.length; j++) {
                v[j] = r.nextFloat();
                expected.add(v[j]);
            }
            params.add(new Param(Param.Role.WEIGHTS, v));
        }
        ComputeThreads.set(threads);
        try {
            float[] flat = ParamLayout.of(params).flatten();
            assertEquals(expected.size(), flat.length);
            for (int i = 0; i < flat.length; i++) {
                assertEquals(expected.get(i), flat[i], "float " + i);
            }
        } finally {
            ComputeThreads.set(1);
        }
    }

    @Test
    void misuseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ParamLayout.of(List.of(w, b, w)));
        ParamLayout layout = ParamLayout.of(List.of(w, b));
        assertThrows(IllegalArgumentException.class, () -> layout.unflatten(new float[3]));
        assertThrows(IllegalArgumentException.class, () -> layout.flatten(p -> new float[2]));
    }
}
