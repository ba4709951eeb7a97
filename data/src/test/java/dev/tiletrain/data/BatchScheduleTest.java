package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class BatchScheduleTest {
    private static Dataset images(int n) {
        List<Path> paths = IntStream.range(0, n).mapToObj(i -> new Path("/d/images/" + i + ".jpg")).toList();
        return new Dataset(paths, 2, List.of("a", "b"));
    }

    private static final Augmentation AUG = Augmentation.defaults(416, 416);

    @Test
    void everyEpochVisitsEveryImageOnceAcrossBatchBoundaries() {
        int n = 50, batch = 7;
        BatchSchedule s = BatchSchedule.training(images(n), AUG, 42, batch);
        List<int[]> epochs = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            epochs.add(new int[n]);
        }
        for (long it = 0; it * batch < 3L * n; it++) {
            for (int slot = 0; slot < batch && it * batch + slot < 3L * n; slot++) {
                Sample sample = s.sample(it, slot);
                assertEquals((it * batch + slot) / n, sample.epoch());
                assertEquals(it, sample.iteration());
                assertEquals(slot, sample.slot());
                epochs.get(sample.epoch())[(int) ((it * batch + slot) % n)] = sample.image();
            }
        }
        for (int[] order : epochs) {
            int[] sorted = order.clone();
            Arrays.sort(sorted);
            assertEquals(IntStream.range(0, n).boxed().toList(), Arrays.stream(sorted).boxed().toList());
        }
        assertFalse(Arrays.equals(epochs.get(0), epochs.get(1)), "a new order each epoch");
        assertFalse(Arrays.equals(epochs.get(0), IntStream.range(0, n).toArray()), "shuffled");
    }

    @Test
    void aResumedRunAndAnotherDeviceSeeTheSameSamples() {
        BatchSchedule a = BatchSchedule.training(images(20), AUG, 7, 4);
        for (long it = 0; it < 30; it++) {
            BatchSchedule fresh = BatchSchedule.training(images(20), AUG, 7, 4);
            for (int slot = 3; slot >= 0; slot--) {
                Sample s = fresh.sample(it, slot);
                assertEquals(a.sample(it, slot), s);
                assertEquals(a.transform(s, 500, 375), fresh.transform(s, 500, 375));
            }
        }
        BatchSchedule other = BatchSchedule.training(images(20), AUG, 8, 4);
        boolean differs = false;
        for (int slot = 0; slot < 4; slot++) {
            differs |= other.sample(0, slot).image() != a.sample(0, slot).image();
        }
        assertEquals(true, differs, "another seed, another order");
        assertNotEquals(a.transform(a.sample(0, 0), 500, 375), a.transform(a.sample(5, 0), 500, 375));
    }

    @Test
    void validationWalksTheListInOrderWithLetterbox() {
        BatchSchedule v = BatchSchedule.validation(images(5), 416, 320, 2);
        assertEquals(new Sample(4, 0, 2, 0), v.sample(2, 0));
        assertEquals(new Sample(0, 1, 2, 1), v.sample(2, 1));
        assertEquals(Transform.letterbox(416, 320, 640, 480), v.transform(v.sample(0, 0), 640, 480));
        assertNull(v.boxOrder(v.sample(0, 0)));
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> BatchSchedule.training(images(3), AUG, 1, 0));
        BatchSchedule s = BatchSchedule.training(images(3), AUG, 1, 2);
        assertThrows(IllegalArgumentException.class, () -> s.sample(0, 2));
        assertThrows(IllegalArgumentException.class, () -> s.sample(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Dataset(List.of(), 1, List.of("a")));
    }
}
