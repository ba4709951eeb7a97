package dev.tiletrain.ops.weights;

import dev.tiletrain.ops.layers.Param;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters one cfg section stores in a {@code .weights} file, null where absent. A
 * {@code [convolutional]} or {@code [connected]} section has biases and weights, and with
 * {@code batch_normalize=1} also scales, rolling mean and rolling variance; every other section stores
 * nothing. {@code type} is the section type without brackets, as {@code CfgSection.type()} gives it.
 */
public record SectionWeights(String type, Param biases, Param scales, Param rollingMean, Param rollingVariance, Param weights) {
    static final String CONVOLUTIONAL = "convolutional";
    static final String CONNECTED = "connected";

    public SectionWeights {
        validate(type, biases, scales, rollingMean, rollingVariance, weights);
    }

    /** A section that stores nothing, e.g. {@code [maxpool]}. */
    public static SectionWeights none(String type) {
        return new SectionWeights(type, null, null, null, null, null);
    }

    /**
     * The section's parameters picked by role from the parameters of the layers it lowered to (for a
     * {@code [convolutional]} with batch norm: the convolution's and the batch norm's). Each role at most once.
     */
    public static SectionWeights of(String type, List<Param> params) {
        Map<Param.Role, Param> byRole = new EnumMap<>(Param.Role.class);
        for (Param p : params) {
            if (byRole.put(p.role, p) != null) {
                throw new IllegalArgumentException("[" + type + "] has two " + p.role + " parameters");
            }
        }
        return new SectionWeights(type, byRole.get(Param.Role.BIASES), byRole.get(Param.Role.SCALES),
                byRole.get(Param.Role.ROLLING_MEAN), byRole.get(Param.Role.ROLLING_VARIANCE), byRole.get(Param.Role.WEIGHTS));
    }

    /** The parameters in file order: Darknet's {@code load_convolutional_weights} or {@code load_connected_weights}. */
    public List<Param> fileOrder() {
        if (biases == null) {
            return List.of();
        }
        boolean bn = scales != null;
        if (type.equals(CONVOLUTIONAL)) {
            return bn ? List.of(biases, scales, rollingMean, rollingVariance, weights) : List.of(biases, weights);
        }
        return bn ? List.of(biases, weights, scales, rollingMean, rollingVariance) : List.of(biases, weights);
    }

    private static void validate(String type, Param biases, Param scales, Param rollingMean, Param rollingVariance, Param weights) {
        boolean stores = type.equals(CONVOLUTIONAL) || type.equals(CONNECTED);
        if (!stores) {
            if (biases != null || scales != null || rollingMean != null || rollingVariance != null || weights != null) {
                throw new IllegalArgumentException("a [" + type + "] section stores no weights");
            }
            return;
        }
        if (biases == null || weights == null) {
            throw new IllegalArgumentException("a [" + type + "] section needs biases and weights");
        }
        if ((scales == null) != (rollingMean == null) || (scales == null) != (rollingVariance == null)) {
            throw new IllegalArgumentException("[" + type + "]: scales, rolling mean and rolling variance come together");
        }
        if (weights.size() % biases.size() != 0) {
            throw new IllegalArgumentException("[" + type + "]: " + weights.size() + " weights for " + biases.size() + " outputs");
        }
        int outputs = biases.size();
        check(type, outputs, biases, Param.Role.BIASES);
        check(type, outputs, scales, Param.Role.SCALES);
        check(type, outputs, rollingMean, Param.Role.ROLLING_MEAN);
        check(type, outputs, rollingVariance, Param.Role.ROLLING_VARIANCE);
        check(type, outputs, weights, Param.Role.WEIGHTS);
    }

    private static void check(String type, int outputs, Param p, Param.Role role) {
        if (p == null) {
            return;
        }
        if (p.role != role) {
            throw new IllegalArgumentException("[" + type + "]: " + p + " given as " + role.name().toLowerCase());
        }
        if (role != Param.Role.WEIGHTS && p.size() != outputs) {
            throw new IllegalArgumentException("[" + type + "]: " + p + " for " + outputs + " outputs");
        }
    }
}
