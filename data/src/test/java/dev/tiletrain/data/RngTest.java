package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RngTest {
    @Test
    void sameKeysSameStreamOtherKeysOtherStream() {
        Rng a = Rng.of(1, 2, 3), b = Rng.of(1, 2, 3);
        for (int i = 0; i < 100; i++) {
            assertEquals(a.nextLong(), b.nextLong());
        }
        assertNotEquals(Rng.of(1, 2, 3).nextLong(), Rng.of(1, 3, 2).nextLong(), "key order matters");
        assertNotEquals(Rng.of(1, 2).nextLong(), Rng.of(1, 2, 0).nextLong(), "key count matters");
    }

    @Test
    void drawsStayInTheirRangesAndCoverThem() {
        Rng r = Rng.of(7);
        int[] counts = new int[5];
        float min = 1, max = 0;
        for (int i = 0; i < 50_000; i++) {
            float f = r.nextFloat();
            assertTrue(f >= 0 && f < 1);
            min = Math.min(min, f);
            max = Math.max(max, f);
            counts[r.below(5)]++;
            float u = r.uniform(3, -2);
            assertTrue(u >= -2 && u <= 3);
            float s = r.scale(1.5f);
            assertTrue(s >= 1 / 1.5f * .9999f && s <= 1.5f);
        }
        assertTrue(min < .001 && max > .999);
        for (int c : counts) {
            assertTrue(Math.abs(c - 10_000) < 500, "below(5) counts " + java.util.Arrays.toString(counts));
        }
        assertThrows(IllegalArgumentException.class, () -> r.below(0));
    }

    @Test
    void onErrorParsesBothSpellingsAndNamesTheSettingOtherwise() {
        assertEquals(OnError.FAIL, OnError.parse("fail", "x"));
        assertEquals(OnError.SKIP, OnError.parse(" Skip ", "x"));
        assertEquals("spark.tiletrain.data.onError must be fail or skip, not 'ignore'", assertThrows(IllegalArgumentException.class,
                () -> OnError.parse("ignore", "spark.tiletrain.data.onError")).getMessage());
    }
}
