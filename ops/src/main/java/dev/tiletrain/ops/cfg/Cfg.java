package dev.tiletrain.ops.cfg;

import java.util.List;

/**
 * A parsed Darknet cfg: the {@code [net]} section, the layer sections after it (Darknet's layer {@code i} is
 * {@code layers().get(i)}), and the warnings found while parsing (a repeated key, whose first value counts as
 * in Darknet), each naming file and line.
 */
public record Cfg(String file, CfgSection net, List<CfgSection> layers, List<String> warnings) {
    public Cfg {
        layers = List.copyOf(layers);
        warnings = List.copyOf(warnings);
    }

    /** The same cfg with only layers {@code 0..last}: a network's prefix, whose parameters lead the whole's. */
    public Cfg prefix(int last) {
        return new Cfg(file, net, layers.subList(0, last + 1), warnings);
    }
}
