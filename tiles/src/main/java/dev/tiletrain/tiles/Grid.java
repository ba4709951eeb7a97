package dev.tiletrain.tiles;

import dev.tiletrain.ops.tensor.Rect;

/**
 * An N×M grid of tiles (N rows, M columns, written {@code NxM}) over a map. Tile {@code t} is at row
 * {@code t / cols}, column {@code t % cols}. Owned tiles follow DeepThings' rule: {@code ceil(W/M)} wide,
 * the last column takes the remainder; rows alike.
 */
public record Grid(int rows, int cols) {
    public Grid {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("grid must be at least 1x1: " + rows + "x" + cols);
        }
    }

    public static Grid parse(String text) {
        String[] p = text.trim().toLowerCase().split("x");
        try {
            if (p.length == 2) {
                return new Grid(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("'" + text + "' is not a grid: write rows x columns, e.g. 3x3");
    }

    public int tiles() {
        return rows * cols;
    }

    public int row(int tile) {
        return tile / cols;
    }

    public int col(int tile) {
        return tile % cols;
    }

    /**
     * The cut positions along an axis of {@code length}: part {@code i} is {@code [cuts[i], cuts[i+1])}.
     * Fails, naming the largest part count that works, when a part would be empty.
     */
    static int[] cuts(int length, int parts, String axis) {
        int step = (length + parts - 1) / parts;
        if ((parts - 1) * step > length - 1) {
            int best = parts;
            while (best > 1 && (best - 1) * ((length + best - 1) / best) > length - 1) {
                best--;
            }
            throw new IllegalArgumentException(parts + " " + axis + " do not fit a map " + length + " wide: at most "
                    + best + " " + axis);
        }
        int[] c = new int[parts + 1];
        for (int i = 0; i < parts; i++) {
            c[i] = i * step;
        }
        c[parts] = length;
        return c;
    }

    /** The owned rectangle of every tile over a map of {@code width × height}, in tile order. */
    public Rect[] owned(int width, int height) {
        int[] xs = cuts(width, cols, "columns"), ys = cuts(height, rows, "rows");
        Rect[] r = new Rect[tiles()];
        for (int t = 0; t < r.length; t++) {
            r[t] = new Rect(xs[col(t)], ys[row(t)], xs[col(t) + 1] - 1, ys[row(t) + 1] - 1);
        }
        return r;
    }

    @Override
    public String toString() {
        return rows + "x" + cols;
    }
}
