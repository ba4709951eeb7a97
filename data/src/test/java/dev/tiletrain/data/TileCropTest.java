package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tiletrain.ops.layers.Truth;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches from files (file://): every tile's crop equals that rectangle of the whole batch, the whole batch
 * equals Darknet's whole-image pipeline on the decoded images, and the truth moves with the pixels.
 */
class TileCropTest {
    @TempDir
    static java.nio.file.Path dir;
    private static final HadoopFiles FILES = HadoopFiles.withDefaultConfiguration();
    private static Dataset train;
    private static final Augmentation AUG = new Augmentation(.3f, .1f, 1.5f, 1.5f, true, 48, 40);

    @BeforeAll
    static void writeDataset() throws IOException {
        SampleDataset.write(dir);
        train = Dataset.train(FILES, DataFile.read(FILES, new Path(dir.resolve(SampleDataset.DATA).toUri())));
    }

    private static List<Rect> grid3x3WithHalos(int w, int h) {
        int[] xs = {0, w / 3, 2 * w / 3, w}, ys = {0, h / 3, 2 * h / 3, h};
        List<Rect> rects = new java.util.ArrayList<>();
        for (int j = 0; j < 3; j++) {
            for (int i = 0; i < 3; i++) {
                rects.add(new Rect(Math.max(xs[i] - 2, 0), Math.max(ys[j] - 3, 0), Math.min(xs[i + 1] + 1, w - 1),
                        Math.min(ys[j + 1] + 2, h - 1)));
            }
        }
        return rects;
    }

    @Test
    void everyTileCropEqualsItsRectangleOfTheWholeBatch() {
        for (BatchSchedule s : List.of(BatchSchedule.training(train, AUG, 3, 4), BatchSchedule.validation(train, 48, 40, 4))) {
            TileCrop crops = new TileCrop(FILES, s);
            for (long it = 0; it < 3; it++) {
                Tensor whole = crops.batch(it);
                assertEquals(new Rect(0, 0, 47, 39), whole.rect);
                assertEquals(4, whole.n);
                for (Rect r : grid3x3WithHalos(48, 40)) {
                    assertEquals(whole.crop(r), crops.crop(it, r), "iteration " + it + " tile " + r);
                }
            }
        }
    }

    @Test
    void theBatchIsDarknetsPipelineOnTheDecodedImages() {
        BatchSchedule s = BatchSchedule.training(train, AUG, 9, 3);
        Tensor whole = new TileCrop(FILES, s).batch(2);
        for (int slot = 0; slot < 3; slot++) {
            Sample sample = s.sample(2, slot);
            RgbImage image;
            try (ImageFile f = ImageFile.open(FILES, train.images().get(sample.image()))) {
                image = f.readAll();
            }
            float[] expected = DarknetPipeline.canvas(image, s.transform(sample, image.width(), image.height()));
            assertArrayEquals(expected, Arrays.copyOfRange(whole.data, slot * whole.imageSize(), (slot + 1) * whole.imageSize()));
        }
    }

    @Test
    void samePixelsForAnyInstanceDifferentForAnotherSeedOrIteration() {
        Tensor a = new TileCrop(FILES, BatchSchedule.training(train, AUG, 3, 4)).batch(5);
        assertEquals(a, new TileCrop(FILES, BatchSchedule.training(train, AUG, 3, 4)).batch(5));
        assertNotEquals(a, new TileCrop(FILES, BatchSchedule.training(train, AUG, 4, 4)).batch(5));
        assertNotEquals(a, new TileCrop(FILES, BatchSchedule.training(train, AUG, 3, 4)).batch(6));
    }

    @Test
    void truthIsTheLabelsMovedByTheSameTransform() {
        BatchSchedule s = BatchSchedule.training(train, AUG, 3, 6);
        for (long it = 0; it < 4; it++) {
            Truth truth = new BatchTruth(FILES, s).truth(it);
            assertEquals(TruthBoxes.VALUES, truth.perImage());
            assertEquals(6, truth.images());
            for (int slot = 0; slot < 6; slot++) {
                Sample sample = s.sample(it, slot);
                Path image = train.images().get(sample.image());
                int w, h;
                try (ImageFile f = ImageFile.open(FILES, image)) {
                    w = f.width();
                    h = f.height();
                }
                float[] want = new float[TruthBoxes.VALUES];
                TruthBoxes.fill(LabelFile.read(FILES, LabelPath.of(image), 3).boxes(), s.transform(sample, w, h),
                        s.boxOrder(sample), want, 0);
                assertArrayEquals(want, Arrays.copyOfRange(truth.values(), slot * TruthBoxes.VALUES, (slot + 1) * TruthBoxes.VALUES));
            }
        }
    }

    @Test
    void validationTruthKeepsFileOrderAndLetterboxes() {
        BatchSchedule v = BatchSchedule.validation(train, 48, 40, 1);
        float[] t = new BatchTruth(FILES, v).truth(1).values(); // image 1: 23×41 gray, two boxes
        List<LabelBox> boxes = LabelFile.read(FILES, LabelPath.of(train.images().get(1)), 3).boxes();
        Transform lb = Transform.letterbox(48, 40, 23, 41); // 22×40 at (13, 0)
        assertEquals(22, lb.placedWidth());
        assertEquals(13, lb.dx());
        for (int k = 0; k < 2; k++) {
            LabelBox b = boxes.get(k);
            assertEquals((b.x() * 22 + 13) / 48, t[5 * k], 1e-6);
            assertEquals(b.y(), t[5 * k + 1], 1e-6);
            assertEquals(b.w() * 22 / 48, t[5 * k + 2], 1e-6);
            assertEquals(b.cls(), t[5 * k + 4]);
        }
        assertEquals(0, t[10]);
    }
}
