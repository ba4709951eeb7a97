package dev.tiletrain.job.train;

/**
 * Training cannot go on for a reason outside the job (a checkpoint that cannot be written, a device that
 * does not come back); the message says what happened and what was kept, for the person at the terminal.
 */
public final class TrainingStopped extends RuntimeException {
    public TrainingStopped(String message, Throwable cause) {
        super(message, cause);
    }
}
