package dev.tiletrain.data;

import dev.tiletrain.ops.tensor.Rect;
import java.awt.Rectangle;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.apache.hadoop.fs.Path;

/**
 * An encoded image (JPEG, PNG, or anything else javax.imageio decodes) opened for one read: its size comes
 * from the header alone, then the pixels of the whole image or of one region are decoded to RGB. Grayscale and
 * palette images become RGB, alpha is dropped and 16-bit samples keep their high byte, as Darknet's
 * {@code stb_image} loading does. A decoder warning (e.g. a truncated JPEG, which ImageIO would otherwise fill
 * with grey) is a failure: training on silently damaged pixels is worse than stopping.
 */
public final class ImageFile implements AutoCloseable {
    /**
     * The largest image accepted, in pixels (2^25: 8192 × 4096, a 33-megapixel photo), checked against the size
     * the header declares before any pixel is decoded. Decoding takes 15 bytes a pixel (the decoder's image
     * and the float planes), ~500 MB at this limit; a header claiming more (a damaged file or a decompression
     * bomb) would otherwise end in an OutOfMemoryError.
     */
    public static final long MAX_PIXELS = 1L << 25;
    private static final float[] BYTE_TO_FLOAT = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            BYTE_TO_FLOAT[v] = (float) (v / 255.0);
        }
    }

    private final Path path;
    private final InputStream stream;
    private final ImageInputStream input;
    private final ImageReader reader;
    private final int width;
    private final int height;
    private String warning;
    private boolean read;

    private ImageFile(Path path, InputStream stream, ImageInputStream input, ImageReader reader) throws IOException {
        this.path = path;
        this.stream = stream;
        this.input = input;
        this.reader = reader;
        reader.addIIOReadWarningListener((IIOReadWarningListener) (source, message) -> {
            if (warning == null) {
                warning = message;
            }
        });
        reader.setInput(input, true, true);
        this.width = reader.getWidth(0);
        this.height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
            throw new IOException("image size " + width + "x" + height);
        }
        if ((long) width * height > MAX_PIXELS) {
            throw new DataException(path, "the header declares " + width + "x" + height + " pixels, more than the limit of "
                    + MAX_PIXELS + " (" + MAX_PIXELS / 1_000_000 + " megapixels): scale the image down");
        }
    }

    public static ImageFile open(HadoopFiles files, Path path) {
        InputStream stream = files.open(path);
        ImageInputStream input = null;
        try {
            // Memory cache: ImageIO's default file cache would write a temporary file per image.
            input = new MemoryCacheImageInputStream(stream);
            if (input.read() < 0) {
                throw new DataException(path, "the file is empty");
            }
            input.seek(0);
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw new DataException(path, "cannot decode: not an image format javax.imageio knows (JPEG, PNG, ...)");
            }
            return new ImageFile(path, stream, input, readers.next());
        } catch (IOException | RuntimeException e) {
            closeQuietly(input, stream);
            if (e instanceof DataException d) {
                throw d;
            }
            throw new DataException(new Problem(path, 0, "cannot decode: " + reason(e)), e);
        }
    }

    public Path path() {
        return path;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public RgbImage readAll() {
        return read(new Rect(0, 0, width - 1, height - 1));
    }

    /** Decodes the pixels of {@code region} (image coordinates, inside the image). Once per opened file. */
    public RgbImage read(Rect region) {
        if (read) {
            throw new IllegalStateException(path + " was already read");
        }
        read = true;
        BufferedImage image;
        try {
            ImageReadParam param = reader.getDefaultReadParam();
            param.setSourceRegion(new Rectangle(region.x1(), region.y1(), region.width(), region.height()));
            image = reader.read(0, param);
        } catch (IOException | RuntimeException e) {
            throw new DataException(new Problem(path, 0, "cannot decode: " + reason(e)), e);
        }
        if (warning != null) {
            throw new DataException(path, "cannot decode: " + warning);
        }
        if (image.getWidth() != region.width() || image.getHeight() != region.height()) {
            throw new DataException(path, "decoder returned " + image.getWidth() + "x" + image.getHeight() + " for " + region);
        }
        return new RgbImage(width, height, region, planes(image));
    }

    @Override
    public void close() {
        reader.dispose();
        closeQuietly(input, stream);
    }

    private static float[] planes(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight(), plane = w * h;
        float[] out = new float[3 * plane];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        int colorType = cm.getColorSpace().getType();
        int[] row = new int[w * bands];
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            int o = y * w;
            if (cm instanceof IndexColorModel palette) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    int i = row[x * bands];
                    set(out, o + x, plane, palette.getRed(i), palette.getGreen(i), palette.getBlue(i));
                }
            } else if (colorType == ColorSpace.TYPE_GRAY) {
                raster.getPixels(0, y, w, 1, row);
                int bits = raster.getSampleModel().getSampleSize(0);
                for (int x = 0; x < w; x++) {
                    int g = toByte(row[x * bands], bits);
                    set(out, o + x, plane, g, g, g);
                }
            } else if (colorType == ColorSpace.TYPE_RGB && bands >= 3) {
                raster.getPixels(0, y, w, 1, row);
                int rb = raster.getSampleModel().getSampleSize(0), gb = raster.getSampleModel().getSampleSize(1),
                        bb = raster.getSampleModel().getSampleSize(2);
                for (int x = 0; x < w; x++) {
                    int s = x * bands;
                    set(out, o + x, plane, toByte(row[s], rb), toByte(row[s + 1], gb), toByte(row[s + 2], bb));
                }
            } else {
                image.getRGB(0, y, w, 1, argb, 0, w);
                for (int x = 0; x < w; x++) {
                    set(out, o + x, plane, argb[x] >> 16 & 0xff, argb[x] >> 8 & 0xff, argb[x] & 0xff);
                }
            }
        }
        return out;
    }

    private static void set(float[] out, int at, int plane, int r, int g, int b) {
        out[at] = BYTE_TO_FLOAT[r];
        out[at + plane] = BYTE_TO_FLOAT[g];
        out[at + 2 * plane] = BYTE_TO_FLOAT[b];
    }

    /** A sample of {@code bits} bits as 8 bits: high byte of wider samples, low depths stretched to 0..255. */
    private static int toByte(int v, int bits) {
        if (bits == 8) {
            return v;
        }
        return bits > 8 ? v >>> (bits - 8) : v * 255 / ((1 << bits) - 1);
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static void closeQuietly(ImageInputStream input, InputStream stream) {
        try {
            if (input != null) {
                input.close();
            }
        } catch (IOException ignored) {
            // closing a memory-cached stream cannot lose data
        }
        try {
            stream.close();
        } catch (IOException ignored) {
            // a read-only stream: nothing to lose
        }
    }
}
