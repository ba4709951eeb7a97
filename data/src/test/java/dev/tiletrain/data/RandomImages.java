package dev.tiletrain.data;

import dev.tiletrain.ops.tensor.Rect;
import java.util.Random;

/** Random decoded images for tests, and the part of one that a tile would decode. */
final class RandomImages {
    private RandomImages() {
    }

    /** A w × h image of byte-valued random pixels (as decoding produces). */
    static RgbImage random(Random random, int w, int h) {
        float[] data = new float[3 * w * h];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (random.nextInt(256) / 255.0);
        }
        return new RgbImage(w, h, new Rect(0, 0, w - 1, h - 1), data);
    }

    /** Only the pixels of {@code region}: any read outside it fails. */
    static RgbImage restrict(RgbImage full, Rect region) {
        float[] data = new float[3 * region.area()];
        int i = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = region.y1(); y <= region.y2(); y++) {
                for (int x = region.x1(); x <= region.x2(); x++) {
                    data[i++] = full.get(c, x, y);
                }
            }
        }
        return new RgbImage(full.width(), full.height(), region, data);
    }
}
