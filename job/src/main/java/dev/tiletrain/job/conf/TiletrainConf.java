package dev.tiletrain.job.conf;

import dev.tiletrain.ops.cfg.EditDistance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * The {@code spark.tiletrain.*} settings of one run, parsed and checked against {@link ConfKeys} before any
 * executor work: an unknown key or a bad value is an error naming the key (and, for an unknown key, the
 * valid key nearest to it).
 */
public final class TiletrainConf {
    public static final String PREFIX = "spark.tiletrain.";

    private final Map<ConfKey<?>, Object> set;
    private final Map<ConfKey<?>, String> raw;

    private TiletrainConf(Map<ConfKey<?>, Object> set, Map<ConfKey<?>, String> raw) {
        this.set = set;
        this.raw = raw;
    }

    public static TiletrainConf from(SparkConf conf) {
        Map<String, String> settings = new HashMap<>();
        for (Tuple2<String, String> kv : conf.getAllWithPrefix(PREFIX)) {
            settings.put(PREFIX + kv._1(), kv._2());
        }
        return parse(settings);
    }

    /** Reads the {@code spark.tiletrain.*} entries of a SparkConf-like map; other keys are ignored. */
    public static TiletrainConf parse(Map<String, String> settings) {
        Map<String, ConfKey<?>> byName = new HashMap<>();
        ConfKeys.ALL.forEach(k -> byName.put(k.name(), k));
        List<String> problems = new ArrayList<>();
        Map<ConfKey<?>, Object> set = new HashMap<>();
        Map<ConfKey<?>, String> raw = new HashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
            if (!e.getKey().startsWith(PREFIX)) {
                continue;
            }
            ConfKey<?> key = byName.get(e.getKey());
            if (key == null) {
                problems.add("unknown key " + e.getKey() + "; did you mean " + nearest(e.getKey()).name() + "?");
                continue;
            }
            try {
                set.put(key, key.parser().parse(e.getValue()));
                raw.put(key, e.getValue());
            } catch (IllegalArgumentException bad) {
                problems.add(key.name() + "=" + e.getValue() + ": " + bad.getMessage() + " (" + key.doc() + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfException(problems);
        }
        return new TiletrainConf(set, raw);
    }

    /** The key's value, or its default; a key with neither is an error. */
    public <T> T get(ConfKey<T> key) {
        return find(key).orElseThrow(() -> new ConfException(List.of(key.name() + " is required (" + key.doc() + ")")));
    }

    /** The key's value, or its default, or empty. */
    public <T> Optional<T> find(ConfKey<T> key) {
        if (set.containsKey(key)) {
            @SuppressWarnings("unchecked") // Put there by key.parser(), which returns T.
            T value = (T) set.get(key);
            return Optional.of(value);
        }
        return Optional.ofNullable(key.defaultValue()).map(d -> key.parser().parse(d));
    }

    /** The key's value as written, or its default (null when neither), for messages. */
    public String text(ConfKey<?> key) {
        return raw.getOrDefault(key, key.defaultValue());
    }

    /** The settings given (not the defaults) as {@code --conf key=value} options for a shell, in key order. */
    public String asConfOptions() {
        StringBuilder text = new StringBuilder();
        for (ConfKey<?> key : ConfKeys.ALL) {
            if (raw.containsKey(key)) {
                String option = key.name() + "=" + raw.get(key);
                text.append(" --conf ").append(option.matches("[\\w./:=,@+-]+") ? option
                        : "'" + option.replace("'", "'\\''") + "'");
            }
        }
        return text.toString().strip();
    }

    /** The effective settings, one line per key, for the log at start. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        for (ConfKey<?> key : ConfKeys.ALL) {
            String value = raw.containsKey(key) ? raw.get(key)
                    : key.defaultValue() != null ? key.defaultValue() + " (default)" : "unset: " + key.whenUnset();
            text.append(key.name()).append(" = ").append(value).append('\n');
        }
        return text.toString();
    }

    /** The registered key whose name is fewest edits away; case does not count as an edit. */
    static ConfKey<?> nearest(String name) {
        String meant = EditDistance.nearest(name, ConfKeys.ALL.stream().map(ConfKey::name).toList());
        return ConfKeys.ALL.stream().filter(k -> k.name().equals(meant)).findFirst().orElseThrow();
    }
}
