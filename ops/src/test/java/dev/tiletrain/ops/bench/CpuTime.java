package dev.tiletrain.ops.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The benchmark thread's CPU time per iteration, reported by JMH beside the wall time. On a machine that
 * other jobs share, wall time includes their slices and CPU time does not; with one BLAS thread
 * (OPENBLAS_NUM_THREADS=1) all of an operation's work runs on this thread.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public double cpuMs;
    public long calls;
    private long started;

    @Setup(Level.Iteration)
    public void reset() {
        cpuMs = 0;
        calls = 0;
    }

    void start() {
        started = THREADS.getCurrentThreadCpuTime();
    }

    void stop() {
        cpuMs += (THREADS.getCurrentThreadCpuTime() - started) / 1e6;
        calls++;
    }
}
