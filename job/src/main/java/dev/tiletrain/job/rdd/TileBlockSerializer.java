package dev.tiletrain.job.rdd;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Writes a {@link TileBlock} by index ({@link TileBlock.Portable}); what arrives is bound to a plan on use. */
public final class TileBlockSerializer extends Serializer<TileBlock> {
    @Override
    public void write(Kryo kryo, Output out, TileBlock block) {
        TileBlock.Portable p = block.portable();
        out.writeInt(p.group());
        out.writeInt(p.tile());
        out.writeBoolean(p.training());
        out.writeLong(p.seed());
        out.writeInt(p.activations().size());
        for (Tensor t : p.activations()) {
            kryo.writeObject(out, t);
        }
        kryo.writeObjectOrNull(out, p.delta(), Tensor.class);
        out.writeInt(p.gradientParams().length);
        for (int i = 0; i < p.gradientParams().length; i++) {
            out.writeInt(p.gradientParams()[i]);
            kryo.writeObject(out, p.gradients()[i]);
        }
        out.writeInt(p.statisticsOf().length);
        for (int i = 0; i < p.statisticsOf().length; i++) {
            out.writeInt(p.statisticsOf()[i]);
            kryo.writeObject(out, p.statistics()[i]);
        }
        out.writeInt(p.sumsOf().length);
        for (int i = 0; i < p.sumsOf().length; i++) {
            out.writeInt(p.sumsOf()[i]);
            kryo.writeObject(out, p.sums()[i]);
        }
    }

    @Override
    public TileBlock read(Kryo kryo, Input in, Class<TileBlock> type) {
        int group = in.readInt(), tile = in.readInt();
        boolean training = in.readBoolean();
        long seed = in.readLong();
        List<Tensor> activations = new ArrayList<>();
        for (int i = in.readInt(); i > 0; i--) {
            activations.add(kryo.readObject(in, Tensor.class));
        }
        Tensor delta = kryo.readObjectOrNull(in, Tensor.class);
        int[] gp = new int[in.readInt()];
        float[][] g = new float[gp.length][];
        for (int i = 0; i < gp.length; i++) {
            gp[i] = in.readInt();
            g[i] = kryo.readObject(in, float[].class);
        }
        int[] so = new int[in.readInt()];
        BatchNorm.Stats[] st = new BatchNorm.Stats[so.length];
        for (int i = 0; i < so.length; i++) {
            so[i] = in.readInt();
            st[i] = kryo.readObject(in, BatchNorm.Stats.class);
        }
        int[] bo = new int[in.readInt()];
        BatchNorm.BackwardSums[] bs = new BatchNorm.BackwardSums[bo.length];
        for (int i = 0; i < bo.length; i++) {
            bo[i] = in.readInt();
            bs[i] = kryo.readObject(in, BatchNorm.BackwardSums.class);
        }
        return TileBlock.arrived(new TileBlock.Portable(group, tile, training, seed, activations, delta, gp, g, so,
                st, bo, bs));
    }
}
