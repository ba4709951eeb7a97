package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.tensor.Rect;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Decoding: every PNG colour type to RGB as stb_image does, regions, and each kind of broken file. */
class ImageFileTest {
    @TempDir
    java.nio.file.Path dir;
    private final HadoopFiles files = HadoopFiles.withDefaultConfiguration();

    private Path write(String name, byte[] bytes) throws IOException {
        java.nio.file.Path p = dir.resolve(name);
        Files.write(p, bytes);
        return new Path(p.toUri());
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "no " + format + " writer for this image");
        return out.toByteArray();
    }

    private RgbImage decode(Path p) {
        try (ImageFile f = ImageFile.open(files, p)) {
            return f.readAll();
        }
    }

    private static float[] pixel(RgbImage im, int x, int y) {
        return new float[] {im.get(0, x, y), im.get(1, x, y), im.get(2, x, y)};
    }

    private static float b(int v) {
        return (float) (v / 255.0);
    }

    @Test
    void rgbPngIsExact() throws IOException {
        BufferedImage im = new BufferedImage(5, 3, BufferedImage.TYPE_INT_RGB);
        im.setRGB(4, 2, 0x10_80_ff);
        im.setRGB(0, 0, 0xff_00_01);
        RgbImage d = decode(write("rgb.png", encode(im, "png")));
        assertEquals(5, d.width());
        assertEquals(3, d.height());
        assertArrayEquals(new float[] {b(0x10), b(0x80), b(0xff)}, pixel(d, 4, 2));
        assertArrayEquals(new float[] {1, 0, b(1)}, pixel(d, 0, 0));
        assertArrayEquals(new float[] {0, 0, 0}, pixel(d, 5, 0), "outside the image reads 0");
    }

    @Test
    void grayPngRepeatsTheSampleWithoutGammaConversion() throws IOException {
        BufferedImage im = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        im.getRaster().setSample(0, 0, 0, 100);
        im.getRaster().setSample(1, 0, 0, 201);
        RgbImage d = decode(write("gray.png", encode(im, "png")));
        assertArrayEquals(new float[] {b(100), b(100), b(100)}, pixel(d, 0, 0));
        assertArrayEquals(new float[] {b(201), b(201), b(201)}, pixel(d, 1, 0));
    }

    @Test
    void sixteenBitGrayKeepsTheHighByte() throws IOException {
        BufferedImage im = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        im.getRaster().setSample(0, 0, 0, 0xABCD);
        RgbImage d = decode(write("gray16.png", encode(im, "png")));
        assertArrayEquals(new float[] {b(0xAB), b(0xAB), b(0xAB)}, pixel(d, 0, 0));
    }

    @Test
    void palettePngBecomesItsColours() throws IOException {
        byte[] r = {0, (byte) 200, 10}, g = {0, 50, 20}, bl = {0, (byte) 250, 30};
        BufferedImage im = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(2, 3, r, g, bl));
        im.getRaster().setSample(0, 0, 0, 1);
        im.getRaster().setSample(1, 0, 0, 2);
        RgbImage d = decode(write("palette.png", encode(im, "png")));
        assertArrayEquals(new float[] {b(200), b(50), b(250)}, pixel(d, 0, 0));
        assertArrayEquals(new float[] {b(10), b(20), b(30)}, pixel(d, 1, 0));
        assertArrayEquals(new float[] {0, 0, 0}, pixel(d, 2, 0));
    }

    @Test
    void alphaIsDropped() throws IOException {
        BufferedImage im = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        im.setRGB(0, 0, 0x40_11_22_33);
        RgbImage d = decode(write("alpha.png", encode(im, "png")));
        assertArrayEquals(new float[] {b(0x11), b(0x22), b(0x33)}, pixel(d, 0, 0));
    }

    @Test
    void grayJpegBecomesRgb() throws IOException {
        BufferedImage im = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 8; x++) {
            for (int y = 0; y < 8; y++) {
                im.getRaster().setSample(x, y, 0, 120);
            }
        }
        RgbImage d = decode(write("gray.jpg", encode(im, "jpeg")));
        float[] p = pixel(d, 3, 3);
        assertEquals(p[0], p[1]);
        assertEquals(p[0], p[2]);
        assertEquals(b(120), p[0], 2 / 255f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg"})
    void regionEqualsThatPartOfTheWholeImage(String format) throws IOException {
        Random random = new Random(11);
        BufferedImage im = new BufferedImage(37, 29, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 37; x++) {
            for (int y = 0; y < 29; y++) {
                im.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        Path p = write("region." + format, encode(im, format));
        RgbImage whole = decode(p);
        Rect region = new Rect(5, 9, 30, 21);
        RgbImage part;
        try (ImageFile f = ImageFile.open(files, p)) {
            part = f.read(region);
        }
        for (int y = region.y1(); y <= region.y2(); y++) {
            for (int x = region.x1(); x <= region.x2(); x++) {
                assertArrayEquals(pixel(whole, x, y), pixel(part, x, y), "(" + x + "," + y + ")");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> part.get(0, 4, 9), "outside the decoded region");
    }

    @Test
    void sizeComesFromTheHeaderAlone() throws IOException {
        byte[] jpeg = encode(new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB), "jpeg");
        // a header with most of the data missing still has a size, but its pixels cannot be decoded
        Path p = write("cut.jpg", Arrays.copyOf(jpeg, jpeg.length / 2));
        try (ImageFile f = ImageFile.open(files, p)) {
            assertEquals(300, f.width());
            assertEquals(200, f.height());
            DataException e = assertThrows(DataException.class, f::readAll);
            assertTrue(e.getMessage().startsWith(p + ": cannot decode: "), e.getMessage());
        }
    }

    @Test
    void brokenFilesNameThePathAndTheReason() throws IOException {
        Path text = write("notes.jpg", "not an image".getBytes());
        assertEquals(text + ": cannot decode: not an image format javax.imageio knows (JPEG, PNG, ...)",
                assertThrows(DataException.class, () -> decode(text)).getMessage());
        Path empty = write("empty.png", new byte[0]);
        assertTrue(assertThrows(DataException.class, () -> decode(empty)).getMessage().startsWith(empty + ": cannot decode"));
        byte[] png = encode(new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB), "png");
        byte[] damaged = png.clone();
        for (int i = 45; i < damaged.length - 20; i++) {
            damaged[i] ^= 0x5a;
        }
        Path bad = write("damaged.png", damaged);
        assertTrue(assertThrows(DataException.class, () -> decode(bad)).getMessage().startsWith(bad + ": cannot decode: "));
        Path missing = new Path(dir.resolve("missing.png").toUri());
        assertEquals(missing + ": no such file", assertThrows(DataException.class, () -> decode(missing)).getMessage());
    }
}
