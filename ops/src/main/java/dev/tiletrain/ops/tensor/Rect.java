package dev.tiletrain.ops.tensor;

/**
 * A rectangle of map positions with inclusive corners, in the coordinates of the whole map. Tiled layers
 * compute an output rectangle from an input rectangle; untiled ones use {@link Shape#full()}.
 */
public record Rect(int x1, int y1, int x2, int y2) {
    public Rect {
        if (x2 < x1 || y2 < y1) {
            throw new IllegalArgumentException("empty rectangle " + x1 + "," + y1 + " .. " + x2 + "," + y2);
        }
    }

    public int width() {
        return x2 - x1 + 1;
    }

    public int height() {
        return y2 - y1 + 1;
    }

    public int area() {
        return width() * height();
    }

    public boolean contains(Rect r) {
        return r.x1 >= x1 && r.y1 >= y1 && r.x2 <= x2 && r.y2 <= y2;
    }

    public boolean contains(int x, int y) {
        return x >= x1 && x <= x2 && y >= y1 && y <= y2;
    }

    /** The smallest rectangle holding both. */
    public Rect hull(Rect r) {
        return new Rect(Math.min(x1, r.x1), Math.min(y1, r.y1), Math.max(x2, r.x2), Math.max(y2, r.y2));
    }

    /** The overlap of both, or null when they do not meet. */
    public Rect intersect(Rect r) {
        int ax1 = Math.max(x1, r.x1), ay1 = Math.max(y1, r.y1), ax2 = Math.min(x2, r.x2), ay2 = Math.min(y2, r.y2);
        return ax2 < ax1 || ay2 < ay1 ? null : new Rect(ax1, ay1, ax2, ay2);
    }

    @Override
    public String toString() {
        return "[" + x1 + "," + y1 + ".." + x2 + "," + y2 + "]";
    }
}
