package dev.tiletrain.job.metrics;

/** A remaining time as the per-iteration lines print it: {@code 4m07s}, or {@code 2h15m} past an hour. */
public final class Eta {
    private Eta() {}

    public static String format(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
