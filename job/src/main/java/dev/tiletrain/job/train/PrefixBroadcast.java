package dev.tiletrain.job.train;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;

/**
 * What a tile task carries to reach its JVM's {@link TiledPrefix}: the run's spec, broadcast once, and the
 * tiled layers' current weights, broadcast each iteration. Each executor builds its prefix on the first task
 * of a run and copies the weights in when a task brings a newer broadcast; the tasks of a pass share it, as
 * the layers allow.
 */
public record PrefixBroadcast(Broadcast<RunSpec> spec, Broadcast<float[]> weights) implements Serializable {
    private static TiledPrefix current;
    private static long currentSpec = -1;
    private static long currentWeights = -1;

    /** This JVM's tiled prefix for the spec, holding the broadcast weights. */
    public TiledPrefix prefix() {
        synchronized (PrefixBroadcast.class) {
            if (current == null || currentSpec != spec.id()) {
                current = TiledPrefix.of(spec.value());
                currentSpec = spec.id();
                currentWeights = -1;
            }
            if (currentWeights != weights.id()) {
                current.load(weights.value());
                currentWeights = weights.id();
            }
            return current;
        }
    }
}
