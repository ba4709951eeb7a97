package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import java.util.List;

/**
 * Consecutive tiled layers that every tile runs on its own, forward and backward, without exchanging
 * anything inside the group: the fused-tile-partitioning geometry of one group.
 *
 * <p>The group's last output map is cut by the grid into owned tiles. Going backwards, each layer's owned
 * cuts are the first input positions the next layer's cuts read, which partitions every intermediate map
 * too (batch-norm statistics count each position once, at its owner). A tile computes, at each layer, the
 * input region the next layer's region needs (the back-trace rule), widened to its own owned cell when a
 * layer skips positions (size &lt; stride), so that owners cover every position.
 */
public final class FusedGroup {
    private final int index;
    private final List<PrefixLayer> layers;
    private final Grid grid;
    private final Rect[][] output;
    private final Rect[][] owned;
    private final Rect[] input;

    public FusedGroup(int index, List<PrefixLayer> layers, Grid grid) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("group " + index + " has no layers");
        }
        this.index = index;
        this.layers = List.copyOf(layers);
        this.grid = grid;
        int count = layers.size(), tiles = grid.tiles();
        int[][] xs = new int[count][], ys = new int[count][];
        Shape end = layer(count - 1).outputShape();
        xs[count - 1] = Grid.cuts(end.w(), grid.cols(), "columns of " + layers.get(count - 1));
        ys[count - 1] = Grid.cuts(end.h(), grid.rows(), "rows of " + layers.get(count - 1));
        for (int i = count - 1; i > 0; i--) {
            Layer next = layer(i);
            Shape map = layer(i - 1).outputShape();
            xs[i - 1] = traceCuts(xs[i], next, map.w(), true);
            ys[i - 1] = traceCuts(ys[i], next, map.h(), false);
        }
        output = new Rect[tiles][count];
        owned = new Rect[tiles][count];
        input = new Rect[tiles];
        for (int t = 0; t < tiles; t++) {
            int c = grid.col(t), r = grid.row(t);
            for (int i = count - 1; i >= 0; i--) {
                owned[t][i] = xs[i][c] < xs[i][c + 1] && ys[i][r] < ys[i][r + 1]
                        ? new Rect(xs[i][c], ys[i][r], xs[i][c + 1] - 1, ys[i][r + 1] - 1) : null;
                Rect need = i == count - 1 ? owned[t][i] : layer(i + 1).inputRegion(output[t][i + 1]);
                output[t][i] = owned[t][i] == null ? need : need.hull(owned[t][i]);
            }
            input[t] = layer(0).inputRegion(output[t][0]);
        }
    }

    /** Cut positions on a layer's input map: each interior cut moves to the first input its output cut reads. */
    private static int[] traceCuts(int[] outCuts, Layer layer, int inLength, boolean horizontal) {
        int[] in = new int[outCuts.length];
        int outLength = horizontal ? layer.outputShape().w() : layer.outputShape().h();
        in[in.length - 1] = inLength;
        for (int j = 1; j < in.length - 1; j++) {
            int c = outCuts[j];
            if (c >= outLength) {
                in[j] = inLength;
                continue;
            }
            Rect r = layer.inputRegion(horizontal ? new Rect(c, 0, c, 0) : new Rect(0, c, 0, c));
            in[j] = Math.max(in[j - 1], horizontal ? r.x1() : r.y1());
        }
        return in;
    }

    public int index() {
        return index;
    }

    public List<PrefixLayer> layers() {
        return layers;
    }

    public Layer layer(int i) {
        return layers.get(i).layer();
    }

    public int firstBlock() {
        return layers.get(0).block();
    }

    public int lastBlock() {
        return layers.get(layers.size() - 1).block();
    }

    public Grid grid() {
        return grid;
    }

    public int tiles() {
        return grid.tiles();
    }

    /** The region of layer {@code i}'s output map that tile {@code t} computes. */
    public Rect output(int t, int i) {
        return output[t][i];
    }

    /** The part of layer {@code i}'s output map tile {@code t} owns, or null when it owns none there. */
    public Rect owned(int t, int i) {
        return owned[t][i];
    }

    /** The owned tile of the group's last output map. */
    public Rect ownedOutput(int t) {
        return owned[t][layers.size() - 1];
    }

    /** The region of the group's input map tile {@code t} reads. */
    public Rect input(int t) {
        return input[t];
    }

    public Shape inputShape() {
        return layer(0).inputShape();
    }

    public Shape outputShape() {
        return layer(layers.size() - 1).outputShape();
    }

    /** {@code L4-9}: the cfg blocks this group spans. */
    public String span() {
        return "L" + firstBlock() + "-" + lastBlock();
    }

    @Override
    public String toString() {
        return "group " + index + " " + span() + " " + grid;
    }
}
