package dev.tiletrain.data.cli;

import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.data.Augmentation;
import dev.tiletrain.data.BatchSchedule;
import dev.tiletrain.data.BatchTruth;
import dev.tiletrain.data.LabelBox;
import dev.tiletrain.data.DataFile;
import dev.tiletrain.data.Dataset;
import dev.tiletrain.data.DatasetCheck;
import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.data.LabelFile;
import dev.tiletrain.data.LabelPath;
import dev.tiletrain.data.OnError;
import dev.tiletrain.data.TileCrop;
import dev.tiletrain.ops.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * generate-data writes a set that data's own reader loads, deterministically; bad arguments exit 2. Writes the
 * evidence images {@code target/evidence/generated-boxes.png} (an image with its label boxes, read back through
 * the reader) and {@code target/evidence/augmented-boxes.png} (augmented training inputs with their truth).
 */
class GenerateDataTest {
    private static final HadoopFiles FILES = HadoopFiles.withDefaultConfiguration();
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = GenerateData.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static org.apache.hadoop.fs.Path hadoop(Path p) {
        return new org.apache.hadoop.fs.Path(p.toUri());
    }

    @Test
    void writesASetThatTheReaderLoads() {
        Run r = run("--out", dir.toString(), "--images", "30", "--size", "96", "--classes", "8", "--seed", "3");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("wrote 30 images of 96x96 (27 train, 3 valid), 8 classes, seed 3"), r.out());
        DataFile data = DataFile.read(FILES, hadoop(dir.resolve("shapes.data")));
        assertEquals(List.of("rectangle", "ellipse", "triangle", "cross", "star", "ring", "diamond", "hexagon"),
                data.classNames(FILES));
        Dataset train = Dataset.train(FILES, data), valid = Dataset.valid(FILES, data);
        assertEquals(27, train.size());
        assertEquals(3, valid.size());
        DatasetCheck check = DatasetCheck.of(FILES, train, OnError.FAIL);
        assertEquals(27, check.usable().size());
        assertEquals(0, check.imagesWithoutBoxes());
        assertEquals(0, check.clippedLabelFiles().size());
        assertTrue(check.boxes() >= 27);
        for (int c : check.boxesPerClass()) {
            assertTrue(c > 0, "every class appears");
        }
        for (var image : train.images()) {
            for (LabelBox b : LabelFile.read(FILES, LabelPath.of(image), 8).boxes()) {
                assertTrue(b.x() - b.w() / 2 >= 0 && b.x() + b.w() / 2 <= 1.000001f && b.w() >= .09f && b.w() <= .46f, b.toString());
                assertTrue(b.y() - b.h() / 2 >= 0 && b.y() + b.h() / 2 <= 1.000001f, b.toString());
            }
        }
    }

    @Test
    void theSameSeedWritesTheSameBytes() throws IOException {
        Path a = dir.resolve("a"), b = dir.resolve("b"), c = dir.resolve("c");
        assertEquals(0, run("--out", a.toString(), "--images", "12", "--size", "64", "--seed", "9").status());
        assertEquals(0, run("--out", b.toString(), "--images", "12", "--size", "64", "--seed", "9").status());
        assertEquals(0, run("--out", c.toString(), "--images", "12", "--size", "64", "--seed", "10").status());
        List<Path> files;
        try (Stream<Path> s = Files.walk(a)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        assertEquals(12 * 2 + 4, files.size());
        boolean differs = false;
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            assertArrayEquals(bytes, Files.readAllBytes(b.resolve(a.relativize(f))), f.toString());
            differs |= !java.util.Arrays.equals(bytes, Files.readAllBytes(c.resolve(a.relativize(f))));
        }
        assertTrue(differs, "another seed writes another set");
    }

    @Test
    void writesEvidenceImagesWithBoxes() throws IOException {
        assertEquals(0, run("--out", dir.toString(), "--images", "8", "--size", "416", "--seed", "1").status());
        DataFile data = DataFile.read(FILES, hadoop(dir.resolve("shapes.data")));
        Dataset train = Dataset.train(FILES, data);
        Path evidence = Path.of("target", "evidence");
        Files.createDirectories(evidence);

        BufferedImage first = ImageIO.read(dir.resolve("images/000000.jpg").toFile());
        BoxDrawing.draw(first, LabelFile.read(FILES, LabelPath.of(train.images().get(0)), 5).boxes(), train.names());
        ImageIO.write(first, "png", evidence.resolve("generated-boxes.png").toFile());

        BatchSchedule s = BatchSchedule.training(train, new Augmentation(.2f, .1f, 1.5f, 1.5f, true, 416, 416), 1, 4);
        Tensor batch = new TileCrop(FILES, s).batch(0);
        float[] truth = new BatchTruth(FILES, s).truth(0).values();
        BufferedImage grid = new BufferedImage(2 * 416 + 8, 2 * 416 + 8, BufferedImage.TYPE_INT_RGB);
        for (int slot = 0; slot < 4; slot++) {
            BufferedImage im = new BufferedImage(416, 416, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 416; y++) {
                for (int x = 0; x < 416; x++) {
                    int rgb = 0;
                    for (int c = 0; c < 3; c++) {
                        rgb = rgb << 8 | Math.round(batch.get(slot, c, y, x) * 255);
                    }
                    im.setRGB(x, y, rgb);
                }
            }
            List<LabelBox> boxes = new ArrayList<>();
            for (int k = 0; k < 30 && truth[slot * 150 + 5 * k + 2] > 0; k++) {
                int at = slot * 150 + 5 * k;
                boxes.add(new LabelBox(truth[at], truth[at + 1], truth[at + 2], truth[at + 3], (int) truth[at + 4]));
            }
            assertFalse(boxes.isEmpty());
            BoxDrawing.draw(im, boxes, train.names());
            grid.createGraphics().drawImage(im, (slot % 2) * 424, (slot / 2) * 424, null);
        }
        ImageIO.write(grid, "png", evidence.resolve("augmented-boxes.png").toFile());
        assertTrue(Files.size(evidence.resolve("generated-boxes.png")) > 10_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "--images 10", "--out", "--out x --images 1", "--out x --classes 9", "--out x --size 31",
            "--out x --size big", "--out x --seed s", "--out x --colour red", "--out x --out y", "stray"})
    void badArgumentsExitWithTwo(String args) {
        Run r = run(args.isEmpty() ? new String[0] : args.split(" "));
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().startsWith("generate-data: "), r.err());
    }

    @Test
    void helpExplainsTheOptions() {
        Run r = run("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("--out DIR") && r.out().contains("--seed K"), r.out());
    }
}
