package dev.tiletrain.job.checkpoint;

import java.io.IOException;
import java.io.OutputStream;

/** Writes one named part of a checkpoint (weights, optimizer state, data position) to a stream it must not close. */
@FunctionalInterface
public interface PartWriter {
    void writeTo(OutputStream out) throws IOException;

    static PartWriter of(byte[] payload) {
        return out -> out.write(payload);
    }
}
