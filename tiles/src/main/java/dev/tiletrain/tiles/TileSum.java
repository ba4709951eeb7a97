package dev.tiletrain.tiles;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The sum of one float vector per tile, added in a fixed binary tree over the tile indices — tiles 0 and 1,
 * then 2 and 3, then those two sums, and so on — whatever order the vectors arrive in. Float addition is
 * not associative, so a sum that followed task completion order would differ in its last bits from run to
 * run; this one gives the same bits for the same vectors every time, in one JVM or merged across many
 * (Spark's treeAggregate combines partial sums in whatever order tasks finish).
 *
 * <p>It holds the complete subtrees seen so far: a node covers tiles {@code [j·2^level, (j+1)·2^level)}
 * (cut at the tile count) and is complete when every tile it covers arrived. Two complete siblings add into
 * their parent at once, so at most one node per level is ever held; a node whose sibling lies past the last
 * tile moves up unchanged. The total is the root.
 */
public final class TileSum implements Serializable {
    private static final long serialVersionUID = 1L;

    private int tiles;
    private int[] levels = new int[0];
    private int[] indices = new int[0];
    private float[][] sums = new float[0][];

    /** An empty sum, for a zero value that allocates nothing (a treeAggregate zero travels with every task). */
    public TileSum() {
        this.tiles = 0;
    }

    /** The sum of {@code values} as tile {@code tile} of {@code tiles}; the array becomes the sum's. */
    public static TileSum of(int tile, int tiles, float[] values) {
        if (tile < 0 || tile >= tiles) {
            throw new IllegalArgumentException("tile " + tile + " of " + tiles);
        }
        TileSum s = new TileSum();
        s.tiles = tiles;
        s.insert(0, tile, values);
        return s;
    }

    /** Adds {@code other}'s tiles into this sum; {@code other} is consumed. */
    public TileSum merge(TileSum other) {
        if (other.tiles == 0) {
            return this;
        }
        if (tiles == 0) {
            tiles = other.tiles;
        } else if (tiles != other.tiles) {
            throw new IllegalArgumentException("sums over " + tiles + " and " + other.tiles + " tiles");
        }
        for (int i = 0; i < other.levels.length; i++) {
            insert(other.levels[i], other.indices[i], other.sums[i]);
        }
        return this;
    }

    /** Whether every tile arrived. */
    public boolean complete() {
        return tiles > 0 && levels.length == 1 && covers(levels[0], indices[0]) == tiles;
    }

    /** The sum over all tiles, in tree order. */
    public float[] total() {
        if (!complete()) {
            throw new IllegalStateException("the sum holds " + arrived() + " of " + tiles + " tiles");
        }
        return sums[0];
    }

    /** How many tiles arrived. */
    public int arrived() {
        int n = 0;
        for (int i = 0; i < levels.length; i++) {
            n += covers(levels[i], indices[i]);
        }
        return n;
    }

    private void insert(int level, int index, float[] values) {
        while (true) {
            if (covers(level, index) == tiles) { // the root
                put(level, index, values);
                return;
            }
            int sibling = index ^ 1;
            if (((long) sibling << level) >= tiles) { // no sibling: the parent is this node alone
                level++;
                index >>= 1;
                continue;
            }
            int at = find(level, sibling);
            if (at < 0) {
                put(level, index, values);
                return;
            }
            float[] other = take(at);
            if (other.length != values.length) {
                throw new IllegalArgumentException("vectors of " + values.length + " and " + other.length + " floats");
            }
            // Left plus right, always in that order (a + b == b + a exactly, but keep the tree's reading).
            float[] left = index < sibling ? values : other, right = index < sibling ? other : values;
            for (int k = 0; k < left.length; k++) {
                left[k] += right[k];
            }
            values = left;
            level++;
            index >>= 1;
        }
    }

    /** Tiles node ({@code level}, {@code index}) covers. */
    private int covers(int level, int index) {
        long first = (long) index << level;
        return (int) Math.max(0, Math.min(tiles, first + (1L << level)) - first);
    }

    private int find(int level, int index) {
        for (int i = 0; i < levels.length; i++) {
            if (levels[i] == level && indices[i] == index) {
                return i;
            }
        }
        return -1;
    }

    private void put(int level, int index, float[] values) {
        if (find(level, index) >= 0) {
            throw new IllegalStateException("tile range (" + level + ", " + index + ") arrived twice");
        }
        int n = levels.length;
        levels = Arrays.copyOf(levels, n + 1);
        indices = Arrays.copyOf(indices, n + 1);
        sums = Arrays.copyOf(sums, n + 1);
        levels[n] = level;
        indices[n] = index;
        sums[n] = values;
    }

    private float[] take(int at) {
        float[] v = sums[at];
        int n = levels.length - 1;
        levels[at] = levels[n];
        indices[at] = indices[n];
        sums[at] = sums[n];
        levels = Arrays.copyOf(levels, n);
        indices = Arrays.copyOf(indices, n);
        sums = Arrays.copyOf(sums, n);
        return v;
    }
}
