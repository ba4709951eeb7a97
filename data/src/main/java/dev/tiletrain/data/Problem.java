package dev.tiletrain.data;

import org.apache.hadoop.fs.Path;

/** Why a file cannot be used: its path, the 1-based line when the problem is in one line (0 otherwise), the reason. */
public record Problem(Path file, int line, String reason) {
    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + reason;
    }
}
