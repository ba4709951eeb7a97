package dev.tiletrain.job.conf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The value parsers of the {@code spark.tiletrain.*} keys. */
final class Parsers {
    private static final Pattern GRID = Pattern.compile("(\\d+)x(\\d+)");
    private static final Pattern RANGE = Pattern.compile("(\\d+)-(\\d+)");

    private Parsers() {}

    static ConfKey.Parser<String> text() {
        return v -> {
            if (v.isBlank()) {
                throw new IllegalArgumentException("empty");
            }
            return v.trim();
        };
    }

    static ConfKey.Parser<Integer> intAtLeast(int min) {
        return v -> {
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= min) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // Falls through to the message below.
            }
            throw new IllegalArgumentException("not a whole number ≥ " + min);
        };
    }

    static ConfKey.Parser<Long> anyLong() {
        return v -> {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a whole number");
            }
        };
    }

    /** A finite number ≥ 0, or > 0 when {@code positive}. */
    static ConfKey.Parser<Double> number(boolean positive) {
        String expected = positive ? "not a number > 0" : "not a number ≥ 0";
        return v -> {
            double d;
            try {
                d = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(expected);
            }
            if (!Double.isFinite(d) || d < 0 || (positive && d == 0)) {
                throw new IllegalArgumentException(expected);
            }
            return d;
        };
    }

    /** One of the given words, case-insensitive; returns it in lower case. */
    static ConfKey.Parser<String> choice(String... words) {
        return v -> {
            String w = v.trim().toLowerCase(Locale.ROOT);
            if (Arrays.asList(words).contains(w)) {
                return w;
            }
            throw new IllegalArgumentException("not one of " + String.join(", ", words));
        };
    }

    /** An enum constant by its lower-case name. */
    static <E extends Enum<E>> ConfKey.Parser<E> constant(Class<E> type) {
        String[] names = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
                .toArray(String[]::new);
        ConfKey.Parser<String> word = choice(names);
        return v -> Enum.valueOf(type, word.parse(v).toUpperCase(Locale.ROOT));
    }

    static ConfKey.Parser<TileGrid> grid() {
        return v -> {
            Matcher m = GRID.matcher(v.trim());
            if (m.matches()) {
                try {
                    return new TileGrid(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
                } catch (IllegalArgumentException e) {
                    // Zero or overflowing counts fall through to the message below.
                }
            }
            throw new IllegalArgumentException("not a grid <columns>x<rows> of counts ≥ 1, like 2x2");
        };
    }

    /** {@code auto} (empty) or a whole number ≥ 1. */
    static ConfKey.Parser<OptionalInt> autoOrCount() {
        ConfKey.Parser<Integer> count = intAtLeast(1);
        return v -> {
            if (v.trim().equalsIgnoreCase("auto")) {
                return OptionalInt.empty();
            }
            try {
                return OptionalInt.of(count.parse(v));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("neither auto nor a whole number ≥ 1");
            }
        };
    }

    static ConfKey.Parser<LayerGroups> groups() {
        return v -> {
            if (v.trim().equalsIgnoreCase("auto")) {
                return LayerGroups.AUTO;
            }
            List<LayerGroups.Range> ranges = new ArrayList<>();
            for (String part : v.split(",", -1)) {
                Matcher m = RANGE.matcher(part.trim());
                int next = ranges.isEmpty() ? 0 : ranges.get(ranges.size() - 1).last() + 1;
                int first;
                int last;
                try {
                    first = m.matches() ? Integer.parseInt(m.group(1)) : -1;
                    last = m.matches() ? Integer.parseInt(m.group(2)) : -1;
                } catch (NumberFormatException e) {
                    first = -1;
                    last = -1;
                }
                if (first != next || last < first) {
                    throw new IllegalArgumentException("not auto or consecutive layer ranges from 0 like 0-3,4-9"
                            + " (at \"" + part.trim() + "\": expected a range starting at " + next + ")");
                }
                ranges.add(new LayerGroups.Range(first, last));
            }
            return new LayerGroups(ranges);
        };
    }
}
