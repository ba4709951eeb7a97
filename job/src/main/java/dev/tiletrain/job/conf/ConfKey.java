package dev.tiletrain.job.conf;

/**
 * One {@code spark.tiletrain.*} setting.
 *
 * @param suffix the name after {@code spark.tiletrain.}
 * @param type what a value looks like, for the docs
 * @param defaultValue the value when unset, or null when there is none
 * @param whenUnset what happens when unset and there is no default (the table's default column)
 * @param parser turns a value into its typed form; throws {@link IllegalArgumentException} saying what
 *     a valid value looks like
 */
public record ConfKey<T>(String suffix, String type, String defaultValue, String whenUnset, String doc,
        Parser<T> parser) {
    /** A value's parser; the message of its exception says what a valid value looks like. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String value);
    }

    public String name() {
        return TiletrainConf.PREFIX + suffix;
    }
}
