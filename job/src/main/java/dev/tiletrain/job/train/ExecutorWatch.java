package dev.tiletrain.job.train;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;

/**
 * Watches the executors while training runs. Spark goes on with the executors that remain when a device
 * leaves (its tasks run elsewhere, its cached tile states are recomputed from their lineage), but with none
 * left a job waits for resources forever; after {@code timeout} with no executor the watch cancels the
 * running jobs and says why, so the driver stops with its checkpoint instead of hanging.
 */
final class ExecutorWatch extends SparkListener implements AutoCloseable {
    private final SparkContext sc;
    private final long timeoutNanos;
    private final AtomicInteger executors = new AtomicInteger();
    private final AtomicLong noneSince = new AtomicLong(-1);
    private final AtomicReference<String> stopped = new AtomicReference<>();
    private final Set<String> released;
    private final Thread watch;

    private ExecutorWatch(SparkContext sc, Duration timeout, int registered, Collection<String> released) {
        this.sc = sc;
        this.timeoutNanos = timeout.toNanos();
        this.released = Set.copyOf(released);
        executors.set(registered - this.released.size());
        watch = new Thread(this::watch, "executor watch");
        watch.setDaemon(true);
    }

    /**
     * Starts watching {@code sc}, whose {@code registered} executors are up; the {@code released} ones among them
     * ({@link DriverDeviceRelease}) are not counted, and their removal, which may still be on its way, is ignored.
     */
    static ExecutorWatch start(SparkContext sc, Duration timeout, int registered, Collection<String> released) {
        ExecutorWatch w = new ExecutorWatch(sc, timeout, registered, released);
        sc.addSparkListener(w);
        w.watch.start();
        return w;
    }

    /** Why the watch cancelled the jobs, if it did. */
    Optional<String> stopped() {
        return Optional.ofNullable(stopped.get());
    }

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded added) {
        executors.incrementAndGet();
        noneSince.set(-1);
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
        if (released.contains(removed.executorId())) {
            return;
        }
        if (executors.decrementAndGet() <= 0) {
            noneSince.compareAndSet(-1, System.nanoTime());
        }
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted()) {
            long since = noneSince.get();
            if (since >= 0 && System.nanoTime() - since > timeoutNanos) {
                stopped.compareAndSet(null, "no executor was left for " + timeoutNanos / 1_000_000_000 + " s (every "
                        + "device left the cluster and none came back)");
                // Again on every tick: the devices may go while the driver runs the tail, between two jobs.
                sc.cancelAllJobs();
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        watch.interrupt();
        sc.removeSparkListener(this);
    }
}
