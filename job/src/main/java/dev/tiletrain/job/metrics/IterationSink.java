package dev.tiletrain.job.metrics;

import java.io.Closeable;
import java.io.IOException;

/** Receives each iteration's times once the iteration is over; closed when the application ends. */
public interface IterationSink extends Closeable {
    void accept(IterationTimes times) throws IOException;

    @Override
    default void close() throws IOException {}
}
