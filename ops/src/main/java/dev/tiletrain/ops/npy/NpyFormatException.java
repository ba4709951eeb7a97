package dev.tiletrain.ops.npy;

import java.io.IOException;

/** A {@code .npy} file this reader does not accept; the message names the file. */
public final class NpyFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public NpyFormatException(String message) {
        super(message);
    }
}
