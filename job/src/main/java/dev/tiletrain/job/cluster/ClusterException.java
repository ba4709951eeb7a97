package dev.tiletrain.job.cluster;

/** A cluster operation that cannot go on; the message is written for the person at the terminal. */
public final class ClusterException extends RuntimeException {
    public ClusterException(String message) {
        super(message);
    }
}
