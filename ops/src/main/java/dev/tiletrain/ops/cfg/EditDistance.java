package dev.tiletrain.ops.cfg;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.NoSuchElementException;

/** Levenshtein distance: how a misspelt key or section name finds the one that was meant. */
public final class EditDistance {
    private EditDistance() {}

    public static int between(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * The candidate fewest edits away from {@code word}; case does not count as an edit, and of equally near
     * candidates the first in iteration order wins (pass an ordered collection for a stable answer).
     */
    public static String nearest(String word, Collection<String> candidates) {
        String wanted = word.toLowerCase(Locale.ROOT);
        return candidates.stream()
                .min(Comparator.comparingInt(c -> between(wanted, c.toLowerCase(Locale.ROOT))))
                .orElseThrow(() -> new NoSuchElementException("no candidates for '" + word + "'"));
    }
}
