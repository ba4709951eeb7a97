package dev.tiletrain.ops.cfg;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The section types tiletrain knows and the keys Darknet reads in each, taken from Darknet's
 * {@code parser.c} ({@code parse_net_options}, {@code parse_convolutional}, ... and the keys
 * {@code parse_network_cfg} reads for every layer). A key outside these sets is ignored by Darknet, so here
 * it is a warning rather than an error.
 */
final class SectionKeys {
    static final String NET = "net";

    /** Darknet's {@code string_to_layer_type} accepts these short names too. */
    private static final Map<String, String> ALIASES = Map.of(
            "network", NET, "conv", "convolutional", "conn", "connected", "max", "maxpool",
            "avg", "avgpool", "soft", "softmax");

    /** Read by {@code parse_network_cfg} for every layer section. */
    private static final Set<String> EVERY_LAYER = Set.of(
            "truth", "onlyforward", "stopbackward", "dontsave", "dontload", "numload", "dontloadscales",
            "learning_rate", "smooth");

    private static final Map<String, Set<String>> OWN_KEYS = Map.ofEntries(
            Map.entry(NET, Set.of(
                    "batch", "learning_rate", "momentum", "decay", "subdivisions", "time_steps", "notruth",
                    "random", "adam", "B1", "B2", "eps", "height", "width", "channels", "inputs", "max_crop",
                    "min_crop", "max_ratio", "min_ratio", "center", "clip", "angle", "aspect", "saturation",
                    "exposure", "hue", "policy", "burn_in", "power", "step", "scale", "steps", "scales",
                    "gamma", "max_batches")),
            Map.entry("convolutional", Set.of(
                    "filters", "size", "stride", "pad", "padding", "groups", "activation", "batch_normalize",
                    "binary", "xnor", "flipped", "dot")),
            Map.entry("connected", Set.of("output", "activation", "batch_normalize")),
            Map.entry("maxpool", Set.of("stride", "size", "padding")),
            Map.entry("avgpool", Set.of()),
            Map.entry("route", Set.of("layers")),
            Map.entry("reorg", Set.of("stride", "reverse", "flatten", "extra")),
            Map.entry("region", Set.of(
                    "coords", "classes", "num", "log", "sqrt", "softmax", "background", "max", "jitter",
                    "rescore", "thresh", "classfix", "absolute", "random", "coord_scale", "object_scale",
                    "noobject_scale", "mask_scale", "class_scale", "bias_match", "tree", "map", "anchors")),
            Map.entry("softmax", Set.of("groups", "temperature", "tree", "spatial", "noloss")),
            Map.entry("cost", Set.of("type", "scale", "ratio", "noobj", "thresh")),
            Map.entry("dropout", Set.of("probability")));

    private static final Map<String, Set<String>> KNOWN = OWN_KEYS.entrySet().stream().collect(Collectors.toUnmodifiableMap(
            Map.Entry::getKey,
            e -> e.getKey().equals(NET) ? e.getValue()
                    : Stream.concat(e.getValue().stream(), EVERY_LAYER.stream()).collect(Collectors.toUnmodifiableSet())));

    private SectionKeys() {}

    /** The canonical name of a section type written as {@code name} (without brackets). */
    static String canonical(String name) {
        return ALIASES.getOrDefault(name, name);
    }

    static boolean knownType(String canonicalType) {
        return KNOWN.containsKey(canonicalType);
    }

    static boolean known(String canonicalType, String key) {
        return KNOWN.get(canonicalType).contains(key);
    }
}
