package dev.tiletrain.job.conf;

import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/** The value parsers of the {@code spark.tiletrain.*} keys. */
final class Parsers {

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

    /** {@code auto} (empty: the planner chooses) or a grid {@code <rows>x<columns>}, like 2x3. */
    static ConfKey.Parser<Optional<Grid>> grid() {
        return v -> v.trim().equalsIgnoreCase("auto") ? Optional.empty() : Optional.of(Grid.parse(v));
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

    /** {@code auto} (empty: the planner chooses) or consecutive block ranges from 0, like 0-3,4-9. */
    static ConfKey.Parser<Optional<Grouping>> groups() {
        return v -> v.trim().equalsIgnoreCase("auto") ? Optional.empty() : Optional.of(Grouping.parse(v));
    }
}
