package dev.tiletrain.job.train;

import java.io.Serializable;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;

/**
 * What a task needs to find its JVM's model: the run's broadcast spec and the current weights. Each
 * executor builds one {@link RunModel} per run (on the first task that asks) and copies the weights into
 * it whenever a task brings a newer broadcast; tasks of one pass share it, as the layers allow.
 */
public record ExecutorModel(Broadcast<RunSpec> spec, Broadcast<float[]> weights) implements Serializable {
    private static RunModel current;
    private static String currentApp;
    private static long currentSpec = -1;
    private static long currentWeights = -1;

    /** This JVM's model for the spec, holding the weights of the broadcast. */
    public RunModel get() {
        synchronized (ExecutorModel.class) {
            // Broadcast ids restart with each SparkContext: one JVM running two applications (local mode, one
            // after the other) must not take the first one's model for the second's.
            String app = SparkEnv.get().conf().getAppId();
            if (current == null || currentSpec != spec.id() || !app.equals(currentApp)) {
                current = RunModel.of(spec.value());
                currentApp = app;
                currentSpec = spec.id();
                currentWeights = -1;
            }
            if (currentWeights != weights.id()) {
                current.model().layout().unflatten(weights.value());
                currentWeights = weights.id();
            }
            return current;
        }
    }
}
