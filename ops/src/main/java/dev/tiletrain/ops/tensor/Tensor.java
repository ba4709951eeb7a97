package dev.tiletrain.ops.tensor;

import java.util.Arrays;

/**
 * A batch of {@code n} maps of {@code c} channels covering the rectangle {@code rect} of a larger map,
 * stored NCHW in one {@code float[]}. An untiled tensor covers the whole map; a tile's tensor covers its
 * region, and {@code rect} says where that region sits so that layers pad only at the true map border.
 */
public final class Tensor {
    public final int n;
    public final int c;
    public final Rect rect;
    public final float[] data;

    public Tensor(int n, int c, Rect rect, float[] data) {
        if (data.length != n * c * rect.area()) {
            throw new IllegalArgumentException("data holds " + data.length + " floats, shape needs "
                    + n + "x" + c + "x" + rect.height() + "x" + rect.width());
        }
        this.n = n;
        this.c = c;
        this.rect = rect;
        this.data = data;
    }

    public static Tensor zeros(int n, int c, Rect rect) {
        return new Tensor(n, c, rect, new float[n * c * rect.area()]);
    }

    /** A whole-map tensor. */
    public static Tensor zeros(int n, Shape s) {
        return zeros(n, s.c(), s.full());
    }

    public int h() {
        return rect.height();
    }

    public int w() {
        return rect.width();
    }

    /** Floats per image. */
    public int imageSize() {
        return c * rect.area();
    }

    /** Index of the element at batch b, channel ch and map position (x, y) in whole-map coordinates. */
    public int index(int b, int ch, int y, int x) {
        return ((b * c + ch) * rect.height() + (y - rect.y1())) * rect.width() + (x - rect.x1());
    }

    public float get(int b, int ch, int y, int x) {
        return data[index(b, ch, y, x)];
    }

    /** The part of this tensor inside {@code r} (which must lie inside {@link #rect}), as a new tensor. */
    public Tensor crop(Rect r) {
        if (!rect.contains(r)) {
            throw new IllegalArgumentException(r + " is not inside " + rect);
        }
        Tensor out = zeros(n, c, r);
        int w = r.width();
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = r.y1(); y <= r.y2(); y++) {
                    System.arraycopy(data, index(b, ch, y, r.x1()), out.data, out.index(b, ch, y, r.x1()), w);
                }
            }
        }
        return out;
    }

    /** Adds the overlap of {@code src} and this tensor into this tensor (same n and c). */
    public void addOverlap(Tensor src) {
        Rect o = rect.intersect(src.rect);
        if (o == null) {
            return;
        }
        if (src.n != n || src.c != c) {
            throw new IllegalArgumentException("cannot add " + src.n + "x" + src.c + " into " + n + "x" + c);
        }
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = o.y1(); y <= o.y2(); y++) {
                    int s = src.index(b, ch, y, o.x1()), d = index(b, ch, y, o.x1());
                    for (int x = 0; x < o.width(); x++) {
                        data[d + x] += src.data[s + x];
                    }
                }
            }
        }
    }

    /** Copies the overlap of {@code src} and this tensor into this tensor. */
    public void copyOverlap(Tensor src) {
        Rect o = rect.intersect(src.rect);
        if (o == null) {
            return;
        }
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = o.y1(); y <= o.y2(); y++) {
                    System.arraycopy(src.data, src.index(b, ch, y, o.x1()), data, index(b, ch, y, o.x1()), o.width());
                }
            }
        }
    }

    public Tensor copy() {
        return new Tensor(n, c, rect, data.clone());
    }

    @Override
    public String toString() {
        return "Tensor[" + n + "x" + c + " " + rect + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && t.n == n && t.c == c && t.rect.equals(rect) && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * rect.hashCode() + Arrays.hashCode(data);
    }
}
