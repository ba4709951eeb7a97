package dev.tiletrain.job.rdd;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.tiles.TilePass;
import dev.tiletrain.tiles.TileState;
import dev.tiletrain.tiles.TrainingPlan;
import java.util.List;
import java.util.Map;
import org.apache.spark.util.KnownSizeEstimation;

/**
 * A tile's state as an element of a cached RDD. In its executor it is the {@link TileState} itself. A
 * TileState refers to layers and parameters by identity, which mean nothing in another JVM; when Spark
 * serializes a cached block (a task of a later stage placed on another executor reads it remotely), the
 * state travels by index ({@link TileBlockSerializer}) and is rebound to the reading JVM's plan by
 * {@link #state(TrainingPlan)}.
 *
 * <p>Spark sizes cached blocks by walking their object graph, which from a TileState reaches the group's
 * layers and their weights; the block reports the size of its own tensors and gradients instead.
 */
public final class TileBlock implements KnownSizeEstimation {
    /** Per-object overhead counted per array (header, length, alignment). */
    private static final long ARRAY_OVERHEAD = 24;

    private final TileState state;
    private final TrainingPlan plan;
    private final Portable portable;

    private TileBlock(TileState state, TrainingPlan plan, Portable portable) {
        this.state = state;
        this.plan = plan;
        this.portable = portable;
    }

    /** A state whose layers belong to {@code plan}. */
    public static TileBlock of(TileState state, TrainingPlan plan) {
        return new TileBlock(state, plan, null);
    }

    static TileBlock arrived(Portable portable) {
        return new TileBlock(null, null, portable);
    }

    /** The state, its layers those of {@code target} (the plan of the JVM that reads it). */
    public TileState state(TrainingPlan target) {
        if (state != null) {
            if (plan != target) {
                throw new IllegalStateException("tile " + state.tile() + " of group " + state.group()
                        + " belongs to another plan than this task's");
            }
            return state;
        }
        return portable.bind(target);
    }

    public int tile() {
        return state != null ? state.tile() : portable.tile();
    }

    /** The state by index, for {@link TileBlockSerializer}. */
    Portable portable() {
        return portable != null ? portable : Portable.of(state, plan);
    }

    @Override
    public long estimatedSize() {
        if (state == null) {
            return portable.bytes();
        }
        long bytes = 64;
        for (Tensor t : state.activations()) {
            bytes += bytes(t);
        }
        bytes += bytes(state.delta());
        for (float[] g : state.pass().gradients().values()) {
            bytes += ARRAY_OVERHEAD + 4L * g.length;
        }
        return bytes;
    }

    private static long bytes(Tensor t) {
        return t == null ? 0 : ARRAY_OVERHEAD + 48 + 4L * t.data.length;
    }

    /**
     * A state with its layers and parameters as indices: parameters by position in the network's
     * {@code params()}, batch norms by position in its {@code batchNorms()}. What the tile owns is not
     * carried: it follows from the plan, the group and the tile.
     */
    record Portable(int group, int tile, boolean training, long seed, List<Tensor> activations, Tensor delta,
            int[] gradientParams, float[][] gradients, int[] statisticsOf, BatchNorm.Stats[] statistics,
            int[] sumsOf, BatchNorm.BackwardSums[] sums) {
        static Portable of(TileState s, TrainingPlan plan) {
            List<Param> params = plan.network().params();
            List<BatchNorm> norms = plan.network().batchNorms();
            TilePass pass = s.pass();
            int[] gp = new int[pass.gradients().size()];
            float[][] g = new float[gp.length][];
            int i = 0;
            for (Map.Entry<Param, float[]> e : pass.gradients().entrySet()) {
                gp[i] = indexOf(params, e.getKey(), "parameter");
                g[i++] = e.getValue();
            }
            int[] so = new int[pass.statistics().size()];
            BatchNorm.Stats[] st = new BatchNorm.Stats[so.length];
            i = 0;
            for (Map.Entry<BatchNorm, BatchNorm.Stats> e : pass.statistics().entrySet()) {
                so[i] = indexOf(norms, e.getKey(), "batch norm");
                st[i++] = e.getValue();
            }
            int[] bo = new int[pass.backwardSums().size()];
            BatchNorm.BackwardSums[] bs = new BatchNorm.BackwardSums[bo.length];
            i = 0;
            for (Map.Entry<BatchNorm, BatchNorm.BackwardSums> e : pass.backwardSums().entrySet()) {
                bo[i] = indexOf(norms, e.getKey(), "batch norm");
                bs[i++] = e.getValue();
            }
            return new Portable(s.group(), s.tile(), pass.training(), pass.seed(), s.activations(), s.delta(),
                    gp, g, so, st, bo, bs);
        }

        TileState bind(TrainingPlan plan) {
            List<Param> params = plan.network().params();
            List<BatchNorm> norms = plan.network().batchNorms();
            TilePass pass = new TilePass(training, seed);
            pass.own(plan.group(group), tile);
            for (int i = 0; i < gradientParams.length; i++) {
                float[] into = pass.grad(params.get(gradientParams[i]));
                System.arraycopy(gradients[i], 0, into, 0, into.length);
            }
            for (int i = 0; i < statisticsOf.length; i++) {
                pass.setStatistics(norms.get(statisticsOf[i]), statistics[i]);
            }
            for (int i = 0; i < sumsOf.length; i++) {
                pass.setBackwardSums(norms.get(sumsOf[i]), sums[i]);
            }
            return new TileState(group, tile, pass, activations, delta);
        }

        long bytes() {
            long b = 64;
            for (Tensor t : activations) {
                b += TileBlock.bytes(t);
            }
            b += TileBlock.bytes(delta);
            for (float[] g : gradients) {
                b += ARRAY_OVERHEAD + 4L * g.length;
            }
            return b;
        }

        private static <T> int indexOf(List<T> list, T item, String what) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) == item) {
                    return i;
                }
            }
            throw new IllegalStateException("a tile state refers to a " + what + " outside its plan's network");
        }
    }
}
