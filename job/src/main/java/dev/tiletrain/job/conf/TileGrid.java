package dev.tiletrain.job.conf;

/** The tile grid over the last tiled layer's output, written {@code <columns>x<rows>} as in {@code 3x2}. */
public record TileGrid(int columns, int rows) {
    public TileGrid {
        if (columns < 1 || rows < 1) {
            throw new IllegalArgumentException("a grid needs at least one column and one row");
        }
    }

    public int tiles() {
        return columns * rows;
    }

    @Override
    public String toString() {
        return columns + "x" + rows;
    }
}
