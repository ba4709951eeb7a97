package dev.tiletrain.data.shapes;

import dev.tiletrain.data.LabelBox;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes a synthetic detection set in Darknet's layout under a local directory: {@code images/NNNNNN.jpg},
 * {@code labels/NNNNNN.txt}, {@code train.txt} and {@code valid.txt} (paths relative to the directory, the last
 * tenth of the images for validation), {@code shapes.names} and {@code shapes.data}. All paths are relative, so
 * the directory can be copied as a whole (e.g. {@code hdfs dfs -put}); Darknet itself reads it when run from
 * inside the directory.
 */
public final class ShapesWriter {
    public static final String DATA_FILE = "shapes.data";
    private static final float JPEG_QUALITY = .9f;

    private ShapesWriter() {
    }

    /** Writes the set; images are generated in parallel, each a pure function of (seed, index). */
    public static void write(Path dir, int images, int size, int classes, long seed) throws IOException {
        if (images < 2) {
            throw new IllegalArgumentException("need at least 2 images (one for validation), got " + images);
        }
        if (size < 32) {
            throw new IllegalArgumentException("image size must be at least 32, got " + size);
        }
        Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(dir.resolve("labels"));
        try {
            IntStream.range(0, images).parallel().forEach(i -> writeImage(dir, i, ShapeScene.generate(seed, i, size, classes)));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        int valid = validationImages(images);
        List<String> train = new ArrayList<>(), validation = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            (i < images - valid ? train : validation).add("images/" + name(i) + ".jpg");
        }
        Files.write(dir.resolve("train.txt"), train, StandardCharsets.UTF_8);
        Files.write(dir.resolve("valid.txt"), validation, StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add(ShapeKind.values()[c].label());
        }
        Files.write(dir.resolve("shapes.names"), names, StandardCharsets.UTF_8);
        Files.write(dir.resolve(DATA_FILE), List.of("classes=" + classes, "train=train.txt", "valid=valid.txt",
                "names=shapes.names"), StandardCharsets.UTF_8);
    }

    /** How many of the images (the last ones) form the validation list. */
    public static int validationImages(int images) {
        return Math.max(1, images / 10);
    }

    private static void writeImage(Path dir, int index, ShapeScene scene) {
        StringBuilder labels = new StringBuilder();
        for (LabelBox b : scene.boxes()) {
            labels.append(String.format(Locale.ROOT, "%d %.6f %.6f %.6f %.6f%n", b.cls(), b.x(), b.y(), b.w(), b.h()));
        }
        try {
            Files.write(dir.resolve("images").resolve(name(index) + ".jpg"), jpeg(scene));
            Files.writeString(dir.resolve("labels").resolve(name(index) + ".txt"), labels, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] jpeg(ShapeScene scene) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.setOutput(out);
            writer.write(null, new IIOImage(scene.image(), null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static String name(int index) {
        return String.format(Locale.ROOT, "%06d", index);
    }
}
