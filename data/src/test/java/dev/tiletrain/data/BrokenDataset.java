package dev.tiletrain.data;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * {@link SampleDataset} with one of each bad input added to the train list after the good images: an image
 * without a label file is already there (allowed), plus an empty label file, a box reaching outside the image
 * (clipped, warned), a text file named .jpg, a truncated JPEG, a malformed label line and a class id too large.
 */
final class BrokenDataset {
    static final int GOOD = 6;
    static final int BAD = 4;

    private BrokenDataset() {
    }

    static void write(java.nio.file.Path dir) throws IOException {
        SampleDataset.write(dir);
        java.nio.file.Path images = dir.resolve("images"), labels = dir.resolve("labels");
        Files.copy(images.resolve("0.png"), images.resolve("empty.png"));
        Files.writeString(labels.resolve("empty.txt"), "");
        Files.copy(images.resolve("0.png"), images.resolve("clipped.png"));
        Files.writeString(labels.resolve("clipped.txt"), "1 0.9 0.5 0.4 0.2\n");
        Files.writeString(images.resolve("text.jpg"), "this is not a JPEG");
        byte[] jpeg = Files.readAllBytes(images.resolve("2.jpg"));
        Files.write(images.resolve("cut.jpg"), Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
        Files.copy(images.resolve("0.png"), images.resolve("badline.png"));
        Files.writeString(labels.resolve("badline.txt"), "0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2\n");
        Files.copy(images.resolve("0.png"), images.resolve("badclass.png"));
        Files.writeString(labels.resolve("badclass.txt"), "3 0.5 0.5 0.2 0.2\n");
        Files.writeString(dir.resolve("train.txt"), "images/0.png\nimages/1.png\nimages/2.jpg\nimages/3.png\nimages/4.png\n"
                + "images/5.jpg\nimages/empty.png\nimages/clipped.png\nimages/text.jpg\nimages/cut.jpg\n"
                + "images/badline.png\nimages/badclass.png\n");
    }
}
