package dev.tiletrain.ops.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} command-line options and {@code --name} switches, each at most once, only from a known
 * set; {@code --help} alone; for some commands, operands (arguments not starting with {@code --}, e.g. files).
 */
public final class Arguments {
    private final Map<String, String> values;
    private final boolean help;
    private final List<String> operands;

    private Arguments(Map<String, String> values, boolean help, List<String> operands) {
        this.values = values;
        this.help = help;
        this.operands = List.copyOf(operands);
    }

    public static Arguments parse(String[] args, Set<String> known) throws UsageException {
        return parse(args, known, Set.of());
    }

    /** As {@link #parse(String[], Set)}, where the names in {@code switches} take no value. */
    public static Arguments parse(String[] args, Set<String> known, Set<String> switches) throws UsageException {
        return parse(args, known, switches, false);
    }

    /** As {@link #parse(String[], Set)}, where arguments not starting with {@code --} are {@link #operands}. */
    public static Arguments parseWithOperands(String[] args, Set<String> known) throws UsageException {
        return parse(args, known, Set.of(), true);
    }

    private static Arguments parse(String[] args, Set<String> known, Set<String> switches, boolean withOperands)
            throws UsageException {
        Map<String, String> values = new HashMap<>();
        List<String> operands = new ArrayList<>();
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
            if (withOperands && !a.startsWith("--")) {
                operands.add(a);
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
        return new Arguments(values, help, operands);
    }

    /** The operands, in order (none unless parsed {@link #parseWithOperands with operands}). */
    public List<String> operands() {
        return operands;
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

    public double number(String name, double fallback, double min, double max) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (d >= min && d <= max) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        throw new UsageException("--" + name + " must be a number in " + min + ".." + max + ", got '" + v + "'");
    }
}
