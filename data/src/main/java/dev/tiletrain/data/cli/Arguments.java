package dev.tiletrain.data.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} command-line options, each at most once, only from a known set; {@code --help} alone. */
final class Arguments {
    private final Map<String, String> values;
    private final boolean help;

    private Arguments(Map<String, String> values, boolean help) {
        this.values = values;
        this.help = help;
    }

    static Arguments parse(String[] args, Set<String> known) throws UsageException {
        Map<String, String> values = new HashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                help = true;
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

    boolean help() {
        return help;
    }

    String required(String name) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback, int min, int max) throws UsageException {
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

    long longValue(String name, long fallback) throws UsageException {
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
