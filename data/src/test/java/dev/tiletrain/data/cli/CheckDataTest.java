package dev.tiletrain.data.cli;

import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.data.HadoopFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** check-data on a good set, on a set with bad inputs in both modes, and with bad arguments. */
class CheckDataTest {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = CheckData.run(args, HadoopFiles.withDefaultConfiguration(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A generated set with a broken image, a bad label line and a clipped box added to train.txt. */
    private Path brokenSet() throws IOException {
        assertEquals(0, GenerateData.run(new String[] {"--out", dir.toString(), "--images", "10", "--size", "64"},
                new PrintStream(new ByteArrayOutputStream()), System.err));
        Files.writeString(dir.resolve("images/broken.jpg"), "garbage");
        Files.copy(dir.resolve("images/000000.jpg"), dir.resolve("images/badline.jpg"));
        Files.writeString(dir.resolve("labels/badline.txt"), "0 0.5 0.5 0.1 0.1\n0 0.5 oops 0.1 0.1\n");
        Files.copy(dir.resolve("images/000000.jpg"), dir.resolve("images/clipped.jpg"));
        Files.writeString(dir.resolve("labels/clipped.txt"), "1 0.05 0.5 0.3 0.1\n");
        Files.writeString(dir.resolve("train.txt"), "images/broken.jpg\nimages/badline.jpg\nimages/clipped.jpg\n", java.nio.file.StandardOpenOption.APPEND);
        return dir.resolve("shapes.data");
    }

    @Test
    void goodSetPrintsCounts() {
        assertEquals(0, GenerateData.run(new String[] {"--out", dir.toString(), "--images", "20", "--size", "64", "--classes", "3"},
                new PrintStream(new ByteArrayOutputStream()), System.err));
        Run r = run("--data", dir.resolve("shapes.data").toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("classes=3 (rectangle, ellipse, triangle)"), r.out());
        assertTrue(r.out().contains("train: "), r.out());
        assertTrue(r.out().contains("  images: 18 listed, 18 usable\n"), r.out());
        assertTrue(r.out().contains("  images: 2 listed, 2 usable\n"), r.out());
        assertTrue(r.out().contains("  boxes: ") && r.out().contains("(rectangle "), r.out());
        assertTrue(r.out().contains("  problems: 0\n"), r.out());
    }

    @Test
    void failModeStopsAtTheFirstProblemWithItsPath() throws IOException {
        Path data = brokenSet();
        Run r = run("--data", data.toString(), "--on-error", "fail");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().startsWith("check-data: " + dir.resolve("images/broken.jpg") + ": cannot decode: "), r.err());
    }

    @Test
    void skipModeListsWhatItLeftOut() throws IOException {
        Path data = brokenSet();
        Run r = run("--data", data.toString(), "--on-error", "skip");
        assertEquals(0, r.status(), r.err());
        String labels = dir.resolve("labels").toString();
        assertTrue(r.out().contains("  images: 12 listed, 10 usable\n"), r.out());
        assertTrue(r.out().contains("  problems: 2\n  left out:\n"), r.out());
        assertTrue(r.out().contains("images/broken.jpg: cannot decode: "), r.out());
        assertTrue(r.out().contains(labels + "/badline.txt:2: expected an integer class and four numbers, got '0 0.5 oops 0.1 0.1'"), r.out());
        assertTrue(r.out().contains("label files with boxes clipped to the image: 1\n    " + labels + "/clipped.txt"), r.out());
    }

    @Test
    void aMissingDataFileIsADataError() {
        Run r = run("--data", dir.resolve("none.data").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("none.data: no such file"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "--data", "--on-error skip", "--data x --on-error maybe", "--data x --verbose 1", "x.data"})
    void badArgumentsExitWithTwo(String args) {
        Run r = run(args.isEmpty() ? new String[0] : args.split(" "));
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("check-data: "), r.err());
    }

    @Test
    void helpExplainsTheOptions() {
        Run r = run("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("--on-error fail|skip"), r.out());
    }
}
