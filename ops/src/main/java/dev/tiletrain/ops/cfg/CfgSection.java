package dev.tiletrain.ops.cfg;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One {@code [type]} section of a cfg with its entries. When a key repeats, the first value counts, as in
 * Darknet's {@code option_find}. The typed getters take Darknet's default for the key from the caller and
 * refuse values Darknet would silently misread ({@code atoi("3x")} is 3 there, an error here).
 */
public final class CfgSection {
    private static final Pattern INT = Pattern.compile("[+-]?\\d+");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final String file;
    private final String type;
    private final int line;
    private final Map<String, CfgEntry> entries;

    CfgSection(String file, String type, int line, List<CfgEntry> entries) {
        this.file = file;
        this.type = type;
        this.line = line;
        Map<String, CfgEntry> m = new LinkedHashMap<>();
        for (CfgEntry e : entries) {
            m.putIfAbsent(e.key(), e);
        }
        this.entries = Collections.unmodifiableMap(m);
    }

    /** The file name used in messages. */
    public String file() {
        return file;
    }

    /** The section type without brackets, Darknet's short aliases resolved ({@code conv} is {@code convolutional}). */
    public String type() {
        return type;
    }

    /** The line of the {@code [type]} header, 1-based. */
    public int line() {
        return line;
    }

    /** The entries by key, in file order, first occurrence of each key. */
    public Map<String, CfgEntry> entries() {
        return entries;
    }

    public boolean has(String key) {
        return entries.containsKey(key);
    }

    public Optional<CfgEntry> entry(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    public String getString(String key, String def) {
        CfgEntry e = entries.get(key);
        return e == null ? def : e.value();
    }

    public int getInt(String key, int def) {
        CfgEntry e = entries.get(key);
        return e == null ? def : parseInt(e, e.value());
    }

    /** {@link #getInt(String, int)} that must lie in {@code [min, max]} when present. */
    public int getInt(String key, int def, int min, int max) {
        int v = getInt(key, def);
        if (has(key) && (v < min || v > max)) {
            throw error(key, v + " is " + (max == Integer.MAX_VALUE ? "less than " + min : "not in [" + min + ", " + max + "]"));
        }
        return v;
    }

    /** As Darknet's {@code atof}: parsed as a double, then rounded to float. */
    public float getFloat(String key, float def) {
        CfgEntry e = entries.get(key);
        return e == null ? def : parseFloat(e, e.value());
    }

    /** {@link #getFloat(String, float)} that must lie in {@code [min, max]} when present. */
    public float getFloat(String key, float def, float min, float max) {
        float v = getFloat(key, def);
        if (has(key) && !(v >= min && v <= max)) {
            throw error(key, "'" + entries.get(key).value() + "' is "
                    + (max == Float.MAX_VALUE ? "less than " + bound(min) : "not in [" + bound(min) + ", " + bound(max) + "]"));
        }
        return v;
    }

    /** A range bound as a cfg would write it: 0 and 1000, not 0.0 and 1000.0. */
    private static String bound(float b) {
        return b == (long) b ? Long.toString((long) b) : Float.toString(b);
    }

    /** {@link #getFloat(String, float)} that must be above 0 when present. */
    public float getPositiveFloat(String key, float def) {
        float v = getFloat(key, def);
        if (has(key) && !(v > 0)) {
            throw error(key, "'" + entries.get(key).value() + "' is not positive");
        }
        return v;
    }

    /** A comma-separated int list such as {@code steps=} or {@code layers=}; {@code def} (may be null) when absent. */
    public int[] getInts(String key, int[] def) {
        CfgEntry e = entries.get(key);
        if (e == null) {
            return def;
        }
        String[] parts = split(e);
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parseInt(e, parts[i]);
        }
        return out;
    }

    /** A comma-separated float list such as {@code scales=} or {@code anchors=}; {@code def} (may be null) when absent. */
    public float[] getFloats(String key, float[] def) {
        CfgEntry e = entries.get(key);
        if (e == null) {
            return def;
        }
        String[] parts = split(e);
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parseFloat(e, parts[i]);
        }
        return out;
    }

    /** An error about {@code key} of this section, at the key's line when it is present, else at the header. */
    public CfgException error(String key, String problem) {
        CfgEntry e = entries.get(key);
        return new CfgException(file, e == null ? line : e.line(), key, problem);
    }

    private String[] split(CfgEntry e) {
        String[] parts = e.value().split(",", -1);
        for (String p : parts) {
            if (p.isEmpty()) {
                throw new CfgException(file, e.line(), e.key(), "'" + e.value() + "' has an empty list element");
            }
        }
        return parts;
    }

    private int parseInt(CfgEntry e, String s) {
        if (INT.matcher(s).matches()) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException tooLarge) {
                throw new CfgException(file, e.line(), e.key(), "'" + s + "' is out of the int range");
            }
        }
        throw new CfgException(file, e.line(), e.key(), "'" + s + "' is not an integer");
    }

    private float parseFloat(CfgEntry e, String s) {
        if (!FLOAT.matcher(s).matches()) {
            throw new CfgException(file, e.line(), e.key(), "'" + s + "' is not a number");
        }
        float f = (float) Double.parseDouble(s);
        if (Float.isInfinite(f)) {
            throw new CfgException(file, e.line(), e.key(), "'" + s + "' is out of the float range");
        }
        return f;
    }

    @Override
    public String toString() {
        return "[" + type + "] at " + file + ":" + line;
    }
}
