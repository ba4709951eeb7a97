package dev.tiletrain.data;

import java.util.Locale;

/**
 * What to do with an image that cannot be used (corrupt, unreadable, bad label file): stop with its path and
 * the reason, or leave it out and report it. Set from {@code spark.tiletrain.data.onError}.
 */
public enum OnError {
    FAIL, SKIP;

    /** Parses {@code fail} or {@code skip} (any case); {@code what} names the setting in the error. */
    public static OnError parse(String value, String what) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " must be fail or skip, not '" + value + "'");
        }
    }
}
