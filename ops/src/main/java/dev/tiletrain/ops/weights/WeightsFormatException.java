package dev.tiletrain.ops.weights;

import java.io.IOException;

/** A {@code .weights} file that does not match the network it is read for. */
public final class WeightsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public WeightsFormatException(String message) {
        super(message);
    }
}
