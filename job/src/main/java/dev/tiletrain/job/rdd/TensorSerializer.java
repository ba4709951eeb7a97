package dev.tiletrain.job.rdd;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;

/**
 * A {@link Tensor} as 6 ints (n, c, the rectangle's corners) and its floats: halo strips, tail deltas and
 * cached tile activations travel in this form. 24 bytes of framing per tensor (no length: the shape says
 * how many floats follow), and the constructor's shape check runs on arrival.
 */
public final class TensorSerializer extends Serializer<Tensor> {
    /** Bytes this serializer writes besides the floats. */
    static final int FRAMING_BYTES = 6 * Integer.BYTES;

    public TensorSerializer() {
        setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, Tensor t) {
        output.writeInt(t.n);
        output.writeInt(t.c);
        output.writeInt(t.rect.x1());
        output.writeInt(t.rect.y1());
        output.writeInt(t.rect.x2());
        output.writeInt(t.rect.y2());
        output.writeFloats(t.data);
    }

    @Override
    public Tensor read(Kryo kryo, Input input, Class<Tensor> type) {
        int n = input.readInt(), c = input.readInt();
        Rect rect = new Rect(input.readInt(), input.readInt(), input.readInt(), input.readInt());
        return new Tensor(n, c, rect, input.readFloats(Math.multiplyExact(n * c, rect.area())));
    }
}
