package dev.tiletrain.ops.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Darknet's arithmetic of *net.seen: get_current_batch, the header count, the [region] count of a pass. */
class ImagesSeenTest {
    @Test
    void aRunFromZeroCountsAsDarknetDoes() {
        ImagesSeen s = new ImagesSeen(0, 64);
        assertEquals(0, s.batchNumber(0));
        assertEquals(1, s.batchNumber(1)); // the first update uses batch number 1
        assertEquals(128, s.after(2));
        assertEquals(8, s.duringPass(0, 8)); // the pass's own images included
        assertEquals(16, s.duringPass(1, 8));
    }

    @Test
    void aRunFromAWeightsFileGoesOnFromItsCount() {
        // 123456 images at 64 a batch: Darknet is at batch number 1929 (123456 / 64 = 1929.0).
        ImagesSeen s = new ImagesSeen(123_456, 64);
        assertEquals(1929, s.batchNumber(0));
        assertEquals(1931, s.batchNumber(2));
        assertEquals(123_456 + 2 * 64, s.after(2));
        assertEquals(123_456 + 3 * 8, s.duringPass(2, 8));
        // A count that is not a multiple of the batch: Darknet's integer division, (seen + k·batch) / batch.
        ImagesSeen odd = new ImagesSeen(100, 64);
        for (int k = 0; k < 5; k++) {
            assertEquals((100 + k * 64L) / 64, odd.batchNumber(k));
        }
    }

    @Test
    void aNegativeCountOrBatchIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ImagesSeen(-1, 64));
        assertThrows(IllegalArgumentException.class, () -> new ImagesSeen(0, 0));
    }
}
