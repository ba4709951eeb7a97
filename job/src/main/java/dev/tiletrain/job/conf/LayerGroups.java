package dev.tiletrain.job.conf;

import java.util.List;

/**
 * How the tiled layers are cut into fused groups: {@code auto} (the planner chooses) or consecutive
 * inclusive layer ranges from layer 0, written {@code 0-3,4-9,10-15}.
 */
public record LayerGroups(List<Range> ranges) {
    public static final LayerGroups AUTO = new LayerGroups(List.of());

    /** Layers {@code first..last}, inclusive. */
    public record Range(int first, int last) {}

    public LayerGroups {
        ranges = List.copyOf(ranges);
    }

    public boolean auto() {
        return ranges.isEmpty();
    }

    @Override
    public String toString() {
        if (auto()) {
            return "auto";
        }
        return String.join(",", ranges.stream().map(r -> r.first() + "-" + r.last()).toList());
    }
}
