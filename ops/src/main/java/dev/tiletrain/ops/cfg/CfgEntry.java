package dev.tiletrain.ops.cfg;

/** One {@code key=value} line of a cfg section, whitespace already removed as Darknet removes it. */
public record CfgEntry(String key, String value, int line) {}
