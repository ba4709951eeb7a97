package dev.tiletrain.job.rdd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class GradientSumTest {
    @Test
    void addsAndMergesPartials() {
        float[] a = {1, 2, 3};
        GradientSum left = new GradientSum().add(a).add(new float[] {10, 20, 30});
        GradientSum right = new GradientSum().add(new float[] {100, 200, 300});
        GradientSum total = new GradientSum().merge(left).merge(new GradientSum()).merge(right);
        assertArrayEquals(new float[] {111, 222, 333}, total.sum(3));
        assertEquals(3, total.parts());
        assertArrayEquals(new float[] {1, 2, 3}, a, "a partial (a cached record) is never written to");
        assertNotSame(a, left.sum(3));
    }

    @Test
    void mismatchedLengthsAndEmptySumsAreErrors() {
        GradientSum sum = new GradientSum().add(new float[3]);
        assertThrows(IllegalArgumentException.class, () -> sum.add(new float[4]));
        assertThrows(IllegalArgumentException.class, () -> sum.merge(new GradientSum().add(new float[2])));
        assertThrows(IllegalStateException.class, () -> new GradientSum().sum(3));
    }

    /** A tile contributes its group's range, the tail its own: slices add where they meet, zeros elsewhere. */
    @Test
    void slicesAddAtTheirOffsets() {
        GradientSum left = new GradientSum().add(1, new float[] {1, 2}).add(5, new float[] {7});
        GradientSum right = new GradientSum().add(1, new float[] {10, 20});
        GradientSum total = new GradientSum().merge(left).merge(right);
        assertArrayEquals(new float[] {0, 11, 22, 0, 0, 7, 0}, total.sum(7));
        assertEquals(3, total.parts());
        assertThrows(IllegalArgumentException.class, () -> total.add(1, new float[3]));
        GradientSum overlapping = new GradientSum().add(0, new float[3]).add(2, new float[2]);
        assertThrows(IllegalStateException.class, () -> overlapping.sum(5));
        assertThrows(IllegalStateException.class, () -> left.sum(5), "a slice past the vector's end");
    }

    /** treeAggregate puts the zero value in every task: it must stay small whatever the model's size. */
    @Test
    void theZeroValueIsSmall() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new GradientSum());
        }
        assertTrue(bytes.size() < 200, bytes.size() + " bytes");
    }
}
