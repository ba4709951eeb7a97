package dev.tiletrain.data.cli;

import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;

import dev.tiletrain.data.shapes.ShapeKind;
import dev.tiletrain.data.shapes.ShapesWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code tiletrain generate-data}: writes the synthetic shapes detection set. */
public final class GenerateData {
    private static final String USAGE = """
            Usage: tiletrain generate-data --out DIR [--images N] [--size S] [--classes C] [--seed K]

            Writes a synthetic detection dataset in Darknet's layout: coloured shapes (one class per kind) of
            varied size, position and overlap on a cluttered background, as JPEG images with YOLO label files,
            train.txt and valid.txt (the last tenth of the images), shapes.names and shapes.data. Paths inside
            are relative, so DIR can be copied anywhere, e.g. into HDFS. The same seed writes the same set.

              --out DIR      local directory to write (created if missing)
              --images N     number of images, at least 2 (default 1000)
              --size S       image width and height in pixels, 32..4096 (default 416)
              --classes C    number of shape classes, 1..%d (default 5): %s
              --seed K       random seed (default 1)
            """.formatted(ShapeKind.values().length,
            Arrays.stream(ShapeKind.values()).map(ShapeKind::label).collect(Collectors.joining(", ")));

    private GenerateData() {
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path dir;
        int images, size, classes;
        long seed;
        try {
            Arguments a = Arguments.parse(args, Set.of("out", "images", "size", "classes", "seed"));
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            dir = Path.of(a.required("out"));
            images = a.integer("images", 1000, 2, 10_000_000);
            size = a.integer("size", 416, 32, 4096);
            classes = a.integer("classes", 5, 1, ShapeKind.values().length);
            seed = a.longValue("seed", 1);
        } catch (UsageException e) {
            err.println("generate-data: " + e.getMessage());
            err.println("Try 'tiletrain generate-data --help'.");
            return 2;
        }
        long start = System.nanoTime();
        try {
            ShapesWriter.write(dir, images, size, classes, seed);
        } catch (IOException e) {
            err.println("generate-data: cannot write " + dir + ": " + e);
            return 1;
        }
        int valid = ShapesWriter.validationImages(images);
        out.printf("wrote %d images of %dx%d (%d train, %d valid), %d classes, seed %d, to %s in %.1f s%n", images, size,
                size, images - valid, valid, classes, seed, dir.resolve(ShapesWriter.DATA_FILE),
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
