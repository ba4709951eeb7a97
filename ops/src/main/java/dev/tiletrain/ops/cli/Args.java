package dev.tiletrain.ops.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --key value} options and {@code --flag} switches of one command. Unknown options, a missing
 * value, a repeated option and a malformed number are {@link UsageException}s naming the option.
 */
public final class Args {
    private final Map<String, String> values = new HashMap<>();

    private Args() {
    }

    /**
     * @param options names (without {@code --}) that take a value
     * @param flags names that take none
     */
    public static Args parse(String[] argv, Set<String> options, Set<String> flags) {
        Args a = new Args();
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            String key = arg.substring(2), value = null;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            }
            if (flags.contains(key) && value == null) {
                value = "true";
            } else if (options.contains(key)) {
                if (value == null) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException("--" + key + " needs a value");
                    }
                    value = argv[++i];
                }
            } else {
                throw new UsageException("unknown option --" + key);
            }
            if (a.values.put(key, value) != null) {
                throw new UsageException("--" + key + " given twice");
            }
        }
        return a;
    }

    /** True when {@code --help} or {@code -h} is among the arguments. */
    public static boolean wantsHelp(String[] argv) {
        return List.of(argv).contains("--help") || List.of(argv).contains("-h");
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    public String require(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new UsageException("missing --" + key);
        }
        return v;
    }

    public int integer(String key, int fallback) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + key + ": '" + v + "' is not an integer");
        }
    }

    public boolean flag(String key) {
        return values.containsKey(key);
    }
}
