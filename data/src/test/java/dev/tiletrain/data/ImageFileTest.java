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
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
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
        assertEquals(empty + ": the file is empty", assertThrows(DataException.class, () -> decode(empty)).getMessage());
        Path directory = new Path(Files.createDirectory(dir.resolve("folder.jpg")).toUri());
        assertEquals(directory + ": is a directory, expected a file",
                assertThrows(DataException.class, () -> decode(directory)).getMessage());
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

    /** A PNG of 1×1 pixels whose header (IHDR, CRC recomputed) declares {@code width × height}. */
    private static byte[] pngDeclaring(int width, int height) throws IOException {
        byte[] png = encode(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), "png");
        // 8-byte signature, then IHDR: length (4), type (4), width (4) at 16, height (4) at 20, ..., CRC at 29.
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        return png;
    }

    /** A JPEG of 8×8 pixels whose frame header (SOF0) declares {@code width × height} (at most 65535 each). */
    private static byte[] jpegDeclaring(int width, int height) throws IOException {
        byte[] jpeg = encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "jpeg");
        for (int i = 2; i + 8 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xc0) {
                // marker, length (2), precision (1), height (2) at +5, width (2) at +7
                ByteBuffer.wrap(jpeg).putShort(i + 5, (short) height).putShort(i + 7, (short) width);
                return jpeg;
            }
        }
        throw new IllegalStateException("no SOF0 marker");
    }

    @Test
    void anImageDeclaringMorePixelsThanTheLimitIsRefusedFromItsHeader() throws IOException {
        // Decoding 60000 x 50000 would take 45 GB: the error must come from the header, before any pixel.
        Path jpeg = write("huge.jpg", jpegDeclaring(60000, 50000));
        assertEquals(jpeg + ": the header declares 60000x50000 pixels, more than the limit of 33554432 (33 megapixels): "
                + "scale the image down", assertThrows(DataException.class, () -> ImageFile.open(files, jpeg)).getMessage());
        Path png = write("huge.png", pngDeclaring(100_000, 100_000));
        assertEquals(png + ": the header declares 100000x100000 pixels, more than the limit of 33554432 (33 megapixels): "
                + "scale the image down", assertThrows(DataException.class, () -> ImageFile.open(files, png)).getMessage());
        // The limit itself: 8192 x 4096 opens (its pixels are not there to decode), one row more does not.
        try (ImageFile f = ImageFile.open(files, write("limit.png", pngDeclaring(8192, 4096)))) {
            assertEquals(8192 * 4096, (long) f.width() * f.height());
            assertEquals(ImageFile.MAX_PIXELS, (long) f.width() * f.height());
        }
        Path above = write("above.png", pngDeclaring(8192, 4097));
        assertThrows(DataException.class, () -> ImageFile.open(files, above));
    }
}
