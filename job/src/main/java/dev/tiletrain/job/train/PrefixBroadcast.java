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
    private static RunSpec currentSpec;
    private static float[] currentWeights;

    /**
     * This JVM's tiled prefix for the spec, holding the broadcast weights. A broadcast's value is one object in
     * its JVM (its block manager keeps it), so identity tells a new run or new weights apart; broadcast ids do
     * not, as a second SparkContext in one JVM numbers its broadcasts from 0 again.
     */
    public TiledPrefix prefix() {
        synchronized (PrefixBroadcast.class) {
            if (current == null || currentSpec != spec.value()) {
                currentSpec = spec.value();
                current = TiledPrefix.of(currentSpec);
                currentWeights = null;
            }
            if (currentWeights != weights.value()) {
                currentWeights = weights.value();
                current.load(currentWeights);
            }
            return current;
        }
    }
}
