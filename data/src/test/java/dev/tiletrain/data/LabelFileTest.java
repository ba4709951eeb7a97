package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** YOLO label files: parsing, each malformed line, class range, clipping with one flag per file. */
class LabelFileTest {
    @TempDir
    java.nio.file.Path dir;
    private final HadoopFiles files = HadoopFiles.withDefaultConfiguration();

    private Path write(String text) throws IOException {
        java.nio.file.Path p = dir.resolve("l.txt");
        Files.writeString(p, text);
        return new Path(p.toUri());
    }

    @Test
    void readsBoxesInFileOrder() throws IOException {
        LabelFile f = LabelFile.read(files, write("0 0.5 0.5 0.2 0.4\n\n2\t0.25 0.75 0.1 0.1  \n"), 3);
        assertTrue(f.present());
        assertFalse(f.clipped());
        assertEquals(List.of(new LabelBox(.5f, .5f, .2f, .4f, 0), new LabelBox(.25f, .75f, .1f, .1f, 2)), f.boxes());
    }

    @Test
    void missingFileIsAnImageWithoutObjects() {
        Path none = new Path(dir.resolve("none.txt").toUri());
        LabelFile f = LabelFile.read(files, none, 3);
        assertFalse(f.present());
        assertTrue(f.boxes().isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0 0.5 0.5 0.2|expected 'class x y w h', got '0 0.5 0.5 0.2'",
            "0 0.5 0.5 0.2 0.4 7|expected 'class x y w h', got '0 0.5 0.5 0.2 0.4 7'",
            "a 0.5 0.5 0.2 0.4|expected an integer class and four numbers, got 'a 0.5 0.5 0.2 0.4'",
            "1.0 0.5 0.5 0.2 0.4|expected an integer class and four numbers, got '1.0 0.5 0.5 0.2 0.4'",
            "0 0.5 NaN 0.2 0.4|box y is NaN, not a finite number",
            "0 Infinity 0.5 0.2 0.4|box x is Infinity, not a finite number",
            "0 0.5 0.5 -Infinity 0.4|box w is -Infinity, not a finite number",
            "0 0.5 0.5 0.2 1e39|box h is 1e39, not a finite number",
            "3 0.5 0.5 0.2 0.4|class id 3 is not in 0..2 (classes=3)",
            "-1 0.5 0.5 0.2 0.4|class id -1 is not in 0..2 (classes=3)",
            "0 0.5 0.5 0 0.4|box width and height must be positive, got '0 0.5 0.5 0 0.4'",
    })
    void badLinesNameFileAndLine(String line, String reason) throws IOException {
        Path p = write("0 0.1 0.1 0.1 0.1\n" + line + "\n");
        DataException e = assertThrows(DataException.class, () -> LabelFile.read(files, p, 3));
        assertEquals(p + ":2: " + reason, e.getMessage());
        assertEquals(new Problem(p, 2, reason), e.problem());
    }

    @Test
    void boxesOutsideTheImageAreClippedAndFlagged() throws IOException {
        // edges x .8 .. 1.2 -> .8 .. 1; a box wholly outside is dropped
        LabelFile f = LabelFile.read(files, write("1 1.0 0.5 0.4 0.2\n0 1.5 0.5 0.2 0.2\n2 0.5 0.5 0.2 0.2\n"), 3);
        assertTrue(f.clipped());
        assertEquals(2, f.boxes().size());
        LabelBox b = f.boxes().get(0);
        assertEquals(.9f, b.x(), 1e-6);
        assertEquals(.2f, b.w(), 1e-6);
        assertEquals(.5f, b.y(), 1e-6);
        assertEquals(.2f, b.h(), 1e-6);
        assertEquals(new LabelBox(.5f, .5f, .2f, .2f, 2), f.boxes().get(1));
    }

    @Test
    void roundingOvershootIsClippedWithoutAWarning() throws IOException {
        LabelFile f = LabelFile.read(files, write("0 0.5 0.5 1.000001 1.0\n"), 1);
        assertFalse(f.clipped());
        assertEquals(1, f.boxes().get(0).w(), 1e-7);
    }

    @Test
    void anEmptyFileIsAnImageWithoutObjects() throws IOException {
        LabelFile f = LabelFile.read(files, write(""), 3);
        assertTrue(f.present());
        assertTrue(f.boxes().isEmpty());
    }

    @Test
    void aDirectoryWhereTheLabelFileShouldBeIsAnError() throws IOException {
        // A file system reports opening a directory as "not found": without a check it would be an image without
        // objects, silently.
        java.nio.file.Path labels = Files.createDirectory(dir.resolve("labels.txt"));
        Path p = new Path(labels.toUri());
        DataException e = assertThrows(DataException.class, () -> LabelFile.read(files, p, 3));
        assertEquals(p + ": is a directory, expected a file", e.getMessage());
    }
}
