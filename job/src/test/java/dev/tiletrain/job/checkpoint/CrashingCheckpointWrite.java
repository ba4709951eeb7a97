package dev.tiletrain.job.checkpoint;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;

/**
 * Run in its own JVM by {@link CheckpointStoreTest}: starts writing a checkpoint and halts the JVM after
 * part of the weights is on disk, as a power cut or a killed driver would.
 */
public final class CrashingCheckpointWrite {
    static final int EXIT_CODE = 77;

    private CrashingCheckpointWrite() {}

    public static void main(String[] args) throws IOException {
        CheckpointStore store = CheckpointStore.at(args[0], new Configuration());
        long iteration = Long.parseLong(args[1]);
        byte[] weights = CheckpointStoreTest.payload(iteration, 300_000);
        store.write(iteration, java.util.Map.of("weights", out -> {
            out.write(weights, 0, 100_000);
            out.flush();
            Runtime.getRuntime().halt(EXIT_CODE);
        }));
    }
}
