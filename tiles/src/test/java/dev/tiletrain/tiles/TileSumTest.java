package dev.tiletrain.tiles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TileSumTest {
    static Stream<Integer> tileCounts() {
        return IntStream.rangeClosed(1, 17).boxed();
    }

    /**
     * Any arrival order and any way of splitting the tiles between partial sums (as treeAggregate's tasks and
     * levels do) gives the bits of the explicit tree: {@code tree(lo, hi) = tree(lo, mid) + tree(mid, hi)} over
     * power-of-two aligned halves.
     */
    @ParameterizedTest
    @MethodSource("tileCounts")
    void givesTheTreeOrderSumWhateverTheArrivalOrder(int tiles) {
        Random random = new Random(tiles);
        float[][] values = new float[tiles][];
        for (int t = 0; t < tiles; t++) {
            values[t] = new float[5];
            for (int k = 0; k < 5; k++) {
                // Wide exponents, so a different order of additions shows in the bits.
                values[t][k] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
            }
        }
        float[] expected = tree(values, 0, Integer.highestOneBit(Math.max(1, 2 * tiles - 1)));
        for (int trial = 0; trial < 30; trial++) {
            List<Integer> order = new ArrayList<>(IntStream.range(0, tiles).boxed().toList());
            Collections.shuffle(order, random);
            // Split the arrivals into a few partial sums, merged in a random order.
            List<TileSum> partials = new ArrayList<>();
            for (int t : order) {
                TileSum one = TileSum.of(t, tiles, values[t].clone());
                if (partials.isEmpty() || random.nextInt(3) == 0) {
                    partials.add(one);
                } else {
                    partials.get(random.nextInt(partials.size())).merge(one);
                }
            }
            Collections.shuffle(partials, random);
            TileSum total = new TileSum();
            partials.forEach(total::merge);
            assertArrayEquals(expected, total.total(), "arrival order " + order);
            assertEquals(tiles, total.arrived());
        }
    }

    @ParameterizedTest
    @MethodSource("tileCounts")
    void anIncompleteSumHasNoTotal(int tiles) {
        TileSum s = new TileSum();
        for (int t = 0; t + 1 < tiles; t++) {
            s.merge(TileSum.of(t, tiles, new float[] {t}));
        }
        assertFalse(s.complete());
        assertEquals("the sum holds " + (tiles - 1) + " of " + (tiles == 1 ? 0 : tiles) + " tiles",
                assertThrows(IllegalStateException.class, s::total).getMessage());
    }

    @org.junit.jupiter.api.Test
    void aTileArrivingTwiceIsAnError() {
        TileSum s = TileSum.of(2, 4, new float[] {1});
        assertThrows(IllegalStateException.class, () -> s.merge(TileSum.of(2, 4, new float[] {1})));
        assertThrows(IllegalArgumentException.class, () -> s.merge(TileSum.of(0, 3, new float[] {1})));
        assertThrows(IllegalArgumentException.class, () -> s.merge(TileSum.of(3, 4, new float[] {1, 2})));
    }

    /** The sum of tiles [lo, lo + span) cut at the tile count, halves first. */
    private static float[] tree(float[][] values, int lo, int span) {
        if (span == 1) {
            return values[lo].clone();
        }
        int mid = lo + span / 2;
        float[] left = tree(values, lo, span / 2);
        if (mid >= values.length) {
            return left;
        }
        float[] right = tree(values, mid, span / 2);
        for (int k = 0; k < left.length; k++) {
            left[k] += right[k];
        }
        return left;
    }
}
