package dev.tiletrain.ops.model;

import java.util.SortedMap;
import java.util.TreeMap;

/** How a fuzz test's cases ended, counted by outcome (safe from a hang guard's thread), printed at the end. */
public final class FuzzCounts {
    private final SortedMap<String, Integer> counts = new TreeMap<>();

    public synchronized void add(String outcome) {
        counts.merge(outcome, 1, Integer::sum);
    }

    public synchronized void print(String what) {
        System.out.println(what + ": " + counts.values().stream().mapToInt(Integer::intValue).sum() + " cases");
        counts.forEach((outcome, n) -> System.out.printf("  %4d  %s%n", n, outcome));
    }
}
