package dev.tiletrain.ops.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} command-line options and {@code --name} switches, each at most once, only from a known
 * set; {@code --help} alone.
 */
public final class Arguments {
    private final Map<String, String> values;
    private final boolean help;

    private Arguments(Map<String, String> values, boolean help) {
        this.values = values;
        this.help = help;
    }

    public static Arguments parse(String[] args, Set<String> known) throws UsageException {
        return parse(args, known, Set.of());
    }

    /** As {@link #parse(String[], Set)}, where the names in {@code switches} take no value. */
    public static Arguments parse(String[] args, Set<String> known, Set<String> switches) throws UsageException {
        Map<String, String> values = new HashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                help = true;
                continue;
            }
            if (a.startsWith("--") && switches.contains(a.substring(2))) {
                if (values.put(a.substring(2), "true") != null) {
                    throw new UsageException(a + " given twice");
                }
                continue;
            }
            if (!a.startsWith("--") || !known.contains(a.substring(2))) {
                throw new UsageException("unknown argument '" + a + "'");
            }
            if (i + 1 >= args.length) {
                throw new UsageException(a + " needs a value");
            }
            if (values.put(a.substring(2), args[++i]) != null) {
                throw new UsageException(a + " given twice");
            }
        }
        return new Arguments(values, help);
    }

    /** True when the option or switch {@code name} was given. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    public boolean help() {
        return help;
    }

    public String required(String name) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int integer(String name, int fallback, int min, int max) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        throw new UsageException("--" + name + " must be an integer in " + min + ".." + max + ", got '" + v + "'");
    }

    public long longValue(String name, long fallback) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }
}
