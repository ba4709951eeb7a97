package dev.tiletrain.tiles;

import java.util.ArrayList;
import java.util.List;

/** Cut points over the tiled prefix: consecutive block ranges, written {@code 0-3,4-9,10-15}. */
public record Grouping(List<int[]> ranges) {
    public Grouping {
        ranges = List.copyOf(ranges);
        int next = 0;
        for (int[] r : ranges) {
            if (r[0] != next || r[1] < r[0]) {
                throw new IllegalArgumentException("groups must cover blocks 0.. in order without gaps: "
                        + format(ranges) + " (expected a group starting at " + next + ")");
            }
            next = r[1] + 1;
        }
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("no groups");
        }
    }

    public static Grouping parse(String text) {
        List<int[]> ranges = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String[] ends = part.trim().split("-");
            try {
                int a = Integer.parseInt(ends[0].trim());
                int b = ends.length == 2 ? Integer.parseInt(ends[1].trim()) : a;
                if (ends.length > 2) {
                    throw new NumberFormatException();
                }
                ranges.add(new int[] {a, b});
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + part.trim() + "' in groups '" + text
                        + "' is not a block range like 4-9");
            }
        }
        return new Grouping(ranges);
    }

    /** One group over blocks {@code 0..last}. */
    public static Grouping single(int last) {
        return new Grouping(List.<int[]>of(new int[] {0, last}));
    }

    /** The last tiled block. */
    public int lastBlock() {
        return ranges.get(ranges.size() - 1)[1];
    }

    public int size() {
        return ranges.size();
    }

    private static String format(List<int[]> ranges) {
        StringBuilder s = new StringBuilder();
        for (int[] r : ranges) {
            s.append(s.length() == 0 ? "" : ",").append(r[0]).append('-').append(r[1]);
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return format(ranges);
    }
}
