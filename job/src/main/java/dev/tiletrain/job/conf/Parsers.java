package dev.tiletrain.job.conf;

import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import java.net.URI;
import java.net.URISyntaxException;
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

    /** An http(s) URL with a host, as written (trimmed). */
    static ConfKey.Parser<String> url() {
        return v -> {
            try {
                URI uri = new URI(v.trim());
                if ((uri.getScheme() != null && uri.getScheme().matches("https?")) && uri.getHost() != null) {
                    return v.trim();
                }
            } catch (URISyntaxException e) {
                // Falls through to the message below.
            }
            throw new IllegalArgumentException("not an http:// or https:// URL with a host");
        };
    }

    static ConfKey.Parser<Integer> intAtLeast(int min) {
        return intBetween(min, Integer.MAX_VALUE);
    }

    static ConfKey.Parser<Integer> intBetween(int min, int max) {
        String expected = max == Integer.MAX_VALUE ? "not a whole number ≥ " + min
                : "not a whole number from " + min + " to " + max;
        return v -> {
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // Falls through to the message below.
            }
            throw new IllegalArgumentException(expected);
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

    /** A number in [0, {@code max}], or in (0, {@code max}] when {@code positive}. */
    static ConfKey.Parser<Double> number(boolean positive, double max) {
        String expected = "not a number in " + (positive ? "(" : "[") + "0, " + format(max) + "]";
        return v -> {
            double d;
            try {
                d = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(expected);
            }
            if (!(d >= 0 && d <= max) || (positive && d == 0)) {
                throw new IllegalArgumentException(expected);
            }
            return d;
        };
    }

    private static String format(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
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

    /** {@code true} or {@code false}, case-insensitive (unlike Boolean.parseBoolean, anything else is an error). */
    static ConfKey.Parser<Boolean> bool() {
        ConfKey.Parser<String> word = choice("true", "false");
        return v -> word.parse(v).equals("true");
    }

    /** {@code auto} (empty: the job decides) or {@code true} or {@code false}. */
    static ConfKey.Parser<Optional<Boolean>> autoOrBool() {
        ConfKey.Parser<String> word = choice("auto", "true", "false");
        return v -> {
            String w = word.parse(v);
            return w.equals("auto") ? Optional.empty() : Optional.of(w.equals("true"));
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
