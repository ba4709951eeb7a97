package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input of a dataset: fail stops at the first with file (and line), skip leaves them out and counts. */
class DatasetCheckTest {
    @TempDir
    static java.nio.file.Path dir;
    private static final HadoopFiles FILES = HadoopFiles.withDefaultConfiguration();
    private static Dataset train;

    @BeforeAll
    static void write() throws IOException {
        BrokenDataset.write(dir);
        train = Dataset.train(FILES, DataFile.read(FILES, new Path(dir.resolve(SampleDataset.DATA).toUri())));
    }

    private static Path image(String name) {
        return new Path(dir.resolve("images").resolve(name).toUri());
    }

    private static Path label(String name) {
        return new Path(dir.resolve("labels").resolve(name).toUri());
    }

    @Test
    void failStopsAtTheFirstProblemNamingTheFile() {
        DataException e = assertThrows(DataException.class, () -> DatasetCheck.of(FILES, train, OnError.FAIL));
        assertEquals(image("text.jpg"), e.problem().file());
        assertTrue(e.getMessage().startsWith(image("text.jpg") + ": cannot decode: "), e.getMessage());
    }

    @Test
    void skipLeavesProblemsOutAndCountsTheRest() {
        DatasetCheck c = DatasetCheck.of(FILES, train, OnError.SKIP);
        assertEquals(12, c.images());
        assertEquals(BrokenDataset.GOOD + 2, c.usable().size());
        List<Problem> problems = c.problems();
        assertEquals(BrokenDataset.BAD, problems.size());
        assertEquals(image("text.jpg"), problems.get(0).file());
        assertEquals(image("cut.jpg"), problems.get(1).file());
        assertTrue(problems.get(1).reason().startsWith("cannot decode: "), problems.get(1).reason());
        assertEquals(new Problem(label("badline.txt"), 2, "expected 'class x y w h', got '1 0.5 0.5 0.2'"), problems.get(2));
        assertEquals(new Problem(label("badclass.txt"), 1, "class id 3 is not in 0..2 (classes=3)"), problems.get(3));
        // SampleDataset: image i (0..5) has boxes of classes k % 3 for k = 0..i, image 4 has no label file;
        // class 0: images 0, 1, 2, 3 (twice), 5 (twice); class 1: 1, 2, 3, 5 (twice), the clipped box; class 2: 2, 3, 5 (twice)
        assertArrayEquals(new int[] {7, 6, 4}, c.boxesPerClass());
        assertEquals(2, c.imagesWithoutBoxes());
        assertEquals(1, c.missingLabelFiles());
        assertEquals(List.of(label("clipped.txt")), c.clippedLabelFiles());
        assertEquals(train.images().subList(0, 8), c.usable());
    }

    @Test
    void trainingOnTheUsableImagesWorks() {
        DatasetCheck c = DatasetCheck.of(FILES, train, OnError.SKIP);
        BatchSchedule s = BatchSchedule.training(train.withImages(c.usable()), Augmentation.defaults(32, 32), 1, 8);
        assertEquals(8, new TileCrop(FILES, s).batch(0).n);
        assertEquals(8, new BatchTruth(FILES, s).truth(0).images());
        // without the check, training stops at the bad image with its path
        BatchSchedule all = BatchSchedule.validation(train, 32, 32, 12);
        DataException e = assertThrows(DataException.class, () -> new TileCrop(FILES, all).batch(0));
        assertEquals(image("text.jpg"), e.problem().file());
    }
}
