package dev.tiletrain.ops.cfg;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The section types tiletrain knows and the keys Darknet reads in each, taken from Darknet's
 * {@code parser.c} ({@code parse_net_options}, {@code parse_convolutional}, ... and the keys
 * {@code parse_network_cfg} reads for every layer). Darknet ignores any other key with an "Unused field"
 * line; here it is an error, because a misspelt key silently changes training.
 */
final class SectionKeys {
    static final String NET = "net";

    /** Darknet's {@code string_to_layer_type} accepts these short names too. */
    private static final Map<String, String> ALIASES = Map.of(
            "network", NET, "conv", "convolutional", "conn", "connected", "max", "maxpool",
            "avg", "avgpool", "soft", "softmax", "deconv", "deconvolutional", "lrn", "normalization");

    /** Section types Darknet builds that tiletrain does not: named as such, not as typos. */
    private static final Set<String> DARKNET_ONLY = Set.of(
            "shortcut", "crop", "detection", "yolo", "iseg", "local", "deconvolutional", "activation", "logistic",
            "l2norm", "crnn", "gru", "lstm", "rnn", "normalization", "batchnorm", "upsample");

    /** Read by {@code parse_network_cfg} for every layer section. */
    private static final Set<String> EVERY_LAYER = Set.of(
            "truth", "onlyforward", "stopbackward", "dontsave", "dontload", "numload", "dontloadscales",
            "learning_rate", "smooth");

    /** The supported types in the order messages list them. */
    private static final List<String> TYPES = List.of(
            NET, "convolutional", "connected", "maxpool", "avgpool", "route", "reorg", "region", "softmax", "cost",
            "dropout");

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

    /** Every key of each type, sorted (so that the nearest of equally near keys is always the same one). */
    private static final Map<String, SortedSet<String>> KNOWN = OWN_KEYS.entrySet().stream().collect(
            Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> {
                SortedSet<String> keys = new TreeSet<>(e.getValue());
                if (!e.getKey().equals(NET)) {
                    keys.addAll(EVERY_LAYER);
                }
                return Collections.unmodifiableSortedSet(keys);
            }));

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

    /** Why {@code [type]}, not a known type, cannot be used, with the supported types (and the nearest one). */
    static String unsupportedType(String type) {
        String supported = "supported: " + TYPES.stream().map(t -> "[" + t + "]").collect(Collectors.joining(" "));
        if (DARKNET_ONLY.contains(type)) {
            return "[" + type + "] is a Darknet layer tiletrain does not implement; " + supported;
        }
        Set<String> names = new TreeSet<>(KNOWN.keySet());
        names.addAll(ALIASES.keySet());
        names.addAll(DARKNET_ONLY);
        return "[" + type + "] is not a Darknet section type (did you mean [" + EditDistance.nearest(type, names)
                + "]?); " + supported;
    }

    /**
     * Why {@code key} is not a key of {@code [type]} (a known type): the key of that type it is a typo of (a
     * few edits away), else the types it belongs to, else all of the type's keys.
     */
    static String unknownKey(String type, String key) {
        String nearest = EditDistance.nearest(key, KNOWN.get(type));
        if (EditDistance.between(key.toLowerCase(Locale.ROOT), nearest.toLowerCase(Locale.ROOT)) <= Math.max(2, key.length() / 3)) {
            return "[" + type + "] has no such key (did you mean '" + nearest + "'?)";
        }
        List<String> owners = TYPES.stream().filter(t -> KNOWN.get(t).contains(key)).map(t -> "[" + t + "]").toList();
        if (!owners.isEmpty()) {
            return "a key of " + String.join(" and ", owners) + ", not of [" + type + "]";
        }
        return "[" + type + "] has no such key; its keys are " + String.join(", ", KNOWN.get(type));
    }
}
