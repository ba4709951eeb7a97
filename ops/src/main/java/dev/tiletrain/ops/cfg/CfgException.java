package dev.tiletrain.ops.cfg;

/** A Darknet cfg that cannot be used as written; the message names file, line and, where there is one, key. */
public final class CfgException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final String key;

    /** {@code key} may be null when the problem is not about one key. */
    public CfgException(String file, int line, String key, String problem) {
        super(file + ":" + line + ": " + (key == null ? "" : "key '" + key + "': ") + problem);
        this.file = file;
        this.line = line;
        this.key = key;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    /** The offending key, or null. */
    public String key() {
        return key;
    }
}
