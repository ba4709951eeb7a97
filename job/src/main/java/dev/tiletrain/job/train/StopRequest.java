package dev.tiletrain.job.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) or SIGTERM of the driver as a request to stop after the current iteration, which the
 * training loop then checkpoints, instead of the JVM's default of stopping Spark mid-job (a page of stack
 * traces, and the work since the last periodic checkpoint lost). A second signal stops the driver at once;
 * the newest checkpoint on disk is still complete (checkpoints are written under a temporary name and
 * renamed).
 */
public final class StopRequest {
    private static final Logger LOG = LoggerFactory.getLogger(StopRequest.class);

    private volatile Signal received;

    private StopRequest() {}

    /** Never asks to stop (a caller that handles signals itself, or none). */
    public static StopRequest never() {
        return new StopRequest();
    }

    /** Takes over SIGINT and SIGTERM of this JVM. */
    public static StopRequest onSignals() {
        StopRequest request = new StopRequest();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), request::receive);
        }
        return request;
    }

    public boolean requested() {
        return received != null;
    }

    /** The exit code of a process ended by the signal: 128 + its number. */
    public int exitCode() {
        return 128 + received.getNumber();
    }

    private void receive(Signal signal) {
        if (received != null) {
            Runtime.getRuntime().halt(128 + signal.getNumber());
        }
        received = signal;
        LOG.warn("SIG{}: stopping after this iteration, with a checkpoint (again to stop at once, keeping the "
                + "newest checkpoint on disk)", signal.getName());
    }
}
