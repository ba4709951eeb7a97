package dev.tiletrain.data;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A small Darknet-layout dataset under a directory: images of different sizes and kinds (RGB, gray and palette
 * PNG, JPEG), label files (one image without), a train list, names and a {@code .data} file.
 */
final class SampleDataset {
    static final String DATA = "set.data";
    private static final int[][] SIZES = {{40, 30}, {23, 41}, {64, 48}, {31, 31}, {50, 20}, {33, 45}};

    private SampleDataset() {
    }

    static void write(java.nio.file.Path dir) throws IOException {
        Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(dir.resolve("labels"));
        Random random = new Random(5);
        List<String> list = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            int w = SIZES[i][0], h = SIZES[i][1];
            BufferedImage im = switch (i % 3) {
                case 0 -> new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
                case 1 -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
                default -> new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, palette(random));
            };
            for (int x = 0; x < w; x++) {
                for (int y = 0; y < h; y++) {
                    im.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            String name = "images/" + i + (i == 2 || i == 5 ? ".jpg" : ".png");
            ImageIO.write(im, i == 2 || i == 5 ? "jpeg" : "png", dir.resolve(name).toFile());
            list.add(name);
            if (i != 4) {
                StringBuilder labels = new StringBuilder();
                for (int k = 0; k < 1 + i; k++) {
                    labels.append(String.format(java.util.Locale.ROOT, "%d %.4f %.4f %.4f %.4f%n", k % 3,
                            .15 + .7 * random.nextDouble(), .15 + .7 * random.nextDouble(), .05 + .25 * random.nextDouble(),
                            .05 + .25 * random.nextDouble()));
                }
                Files.writeString(dir.resolve("labels/" + i + ".txt"), labels);
            }
        }
        Files.write(dir.resolve("train.txt"), list);
        Files.write(dir.resolve("valid.txt"), list.subList(0, 3));
        Files.writeString(dir.resolve("set.names"), "a\nb\nc\n");
        Files.writeString(dir.resolve(DATA), "classes=3\ntrain=train.txt\nvalid=valid.txt\nnames=set.names\n");
    }

    private static IndexColorModel palette(Random random) {
        byte[] r = new byte[16], g = new byte[16], b = new byte[16];
        random.nextBytes(r);
        random.nextBytes(g);
        random.nextBytes(b);
        return new IndexColorModel(4, 16, r, g, b);
    }
}
