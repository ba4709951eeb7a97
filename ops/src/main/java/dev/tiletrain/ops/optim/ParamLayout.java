package dev.tiletrain.ops.optim;

import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.parallel.ComputeThreads;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where each parameter of a network sits in one flat float vector, and what SGD does with it there: the role
 * says whether a range is decayed (weights), only trained (biases, scales) or left alone (rolling
 * statistics). The rate scale is a layer's own {@code learning_rate=}, which Darknet multiplies into the
 * net's rate ({@code learning_rate_scale}). Weights, gradients and momentum all use this one layout.
 */
public final class ParamLayout {
    /** A parameter with the rate scale of the cfg section it belongs to. */
    public record Entry(Param param, float rateScale) {}

    /** One parameter's place in the flat vector. */
    public record Range(Param.Role role, int offset, int length, float rateScale) {}

    private final List<Param> params;
    private final List<Range> ranges;
    private final int size;

    private ParamLayout(List<Entry> entries) {
        Map<Param, Boolean> distinct = new IdentityHashMap<>();
        List<Param> ps = new ArrayList<>();
        List<Range> rs = new ArrayList<>();
        int offset = 0;
        for (Entry e : entries) {
            if (distinct.put(e.param(), Boolean.TRUE) != null) {
                throw new IllegalArgumentException("parameter " + e.param() + " appears twice");
            }
            ps.add(e.param());
            rs.add(new Range(e.param().role, offset, e.param().size(), e.rateScale()));
            offset = Math.addExact(offset, e.param().size());
        }
        params = Collections.unmodifiableList(ps);
        ranges = Collections.unmodifiableList(rs);
        size = offset;
    }

    /** The parameters in this order, each at rate scale 1. */
    public static ParamLayout of(List<Param> params) {
        return new ParamLayout(params.stream().map(p -> new Entry(p, 1f)).toList());
    }

    public static ParamLayout ofEntries(List<Entry> entries) {
        return new ParamLayout(entries);
    }

    public List<Param> params() {
        return params;
    }

    /** The ranges, in the order of {@link #params()}. */
    public List<Range> ranges() {
        return ranges;
    }

    /** Floats in the flat vector. */
    public int size() {
        return size;
    }

    /** The current values of all parameters as one vector. */
    public float[] flatten() {
        return flatten(p -> p.value);
    }

    /**
     * One vector of per-parameter arrays, e.g. gradients: {@code layout.flatten(pass::gradOrNull)}. A null array
     * stands for zeros.
     */
    public float[] flatten(Function<Param, float[]> source) {
        float[][] arrays = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            float[] v = source.apply(params.get(i));
            if (v != null && v.length != ranges.get(i).length()) {
                throw new IllegalArgumentException(params.get(i) + ": got " + v.length + " floats");
            }
            arrays[i] = v;
        }
        float[] flat = new float[size];
        // Cut by position in the vector, not by parameter: one parameter can be most of it (tiny-YOLO: 9.4 M of
        // 15.9 M floats).
        ComputeThreads.split(size, ComputeThreads.grain(1), (from, to) -> {
            for (int i = 0; i < arrays.length; i++) {
                Range r = ranges.get(i);
                int lo = Math.max(from, r.offset()), hi = Math.min(to, r.offset() + r.length());
                if (arrays[i] != null && lo < hi) {
                    System.arraycopy(arrays[i], lo - r.offset(), flat, lo, hi - lo);
                }
            }
        });
        return flat;
    }

    /**
     * The values of the leading parameters that fill the first {@code size} floats of the layout (a network's
     * prefix: its parameters lead the whole's), without flattening the rest.
     */
    public float[] flattenLeading(int size) {
        float[] flat = new float[size];
        int covered = 0;
        for (int i = 0; i < params.size() && covered < size; i++) {
            Range r = ranges.get(i);
            if (r.offset() + r.length() > size) {
                throw new IllegalArgumentException(size + " floats end inside " + params.get(i));
            }
            System.arraycopy(params.get(i).value, 0, flat, r.offset(), r.length());
            covered = r.offset() + r.length();
        }
        return flat;
    }

    /** Copies {@code flat} back into the parameters' values. */
    public void unflatten(float[] flat) {
        checkSize(flat, "vector");
        for (int i = 0; i < params.size(); i++) {
            Range r = ranges.get(i);
            System.arraycopy(flat, r.offset(), params.get(i).value, 0, r.length());
        }
    }

    void checkSize(float[] v, String what) {
        if (v.length != size) {
            throw new IllegalArgumentException(what + " has " + v.length + " floats, the layout " + size);
        }
    }
}
