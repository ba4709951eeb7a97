package dev.tiletrain.job.cluster;

import dev.tiletrain.job.conf.ConfKeys;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.status.api.v1.ExecutorSummary;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Waits after the SparkContext starts until the executors the job needs have registered. A standalone
 * master that cannot place an application's executors never says so to the driver, which would wait
 * forever; this fails after the timeout with what is missing.
 */
public final class ExecutorWait {
    private static final long POLL_MILLIS = 200;
    /** How long {@link #cores} waits for the listener bus to deliver the executors' registrations. */
    private static final long BUS_MILLIS = 10_000;

    private ExecutorWait() {}

    /**
     * Returns once {@code executors} executors are registered; throws {@link IllegalStateException} naming
     * the missing resource after {@code timeout}. Local masters have no executors to wait for.
     *
     * @param masterWebUi the standalone master's web UI, whose {@code /json/} says what the Workers offer
     */
    public static void await(SparkContext sc, int executors, Duration timeout, URI masterWebUi) {
        if (sc.master().startsWith("local")) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (registered(sc) < executors) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(message(sc, executors, timeout, masterWebUi));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for executors", e);
            }
        }
    }

    /**
     * The cores of the registered executors (after {@link #await}): how many tiles the cluster runs at once. Not
     * Spark's {@code defaultParallelism}, which is at least 2, also for one executor with one core; a local
     * master's threads.
     */
    public static int cores(SparkContext sc) {
        if (sc.master().startsWith("local")) {
            return sc.defaultParallelism();
        }
        try {
            // The status store learns of executors through the listener bus, after they registered.
            sc.listenerBus().waitUntilEmpty(BUS_MILLIS);
        } catch (TimeoutException e) {
            return sc.defaultParallelism();
        }
        int cores = 0;
        for (ExecutorSummary e : CollectionConverters.asJava(sc.statusStore().executorList(true))) {
            cores += e.id().equals("driver") ? 0 : e.totalCores();
        }
        return cores > 0 ? cores : sc.defaultParallelism();
    }

    /**
     * How many executors a standalone master will give this application: on every ALIVE Worker as many as
     * its cores and memory hold (one per Worker unless {@code spark.executor.cores} is set), at most
     * {@code spark.cores.max / spark.executor.cores} (cores of 1 when unset). 1 when the master cannot be read (the wait then needs one).
     */
    public static int expected(SparkContext sc, URI masterWebUi) {
        if (sc.master().startsWith("local")) {
            return 0;
        }
        SparkConf conf = sc.getConf();
        long memory = JavaUtils.byteStringAsMb(conf.get("spark.executor.memory", "1g"));
        OptionalInt cores = conf.contains("spark.executor.cores")
                ? OptionalInt.of(conf.getInt("spark.executor.cores", 1)) : OptionalInt.empty();
        MasterState master;
        try {
            master = MasterState.fetch(masterWebUi);
        } catch (IOException e) {
            return 1;
        }
        int executors = 0;
        for (MasterState.Worker w : master.aliveWorkers()) {
            int byCores = cores.isPresent() ? w.cores() / cores.getAsInt() : Math.min(1, w.cores());
            executors += (int) Math.min(byCores, w.memoryMb() / Math.max(1, memory));
        }
        if (conf.contains("spark.cores.max")) {
            // Without spark.executor.cores an executor takes its Worker's cores; at least one each.
            executors = Math.min(executors, conf.getInt("spark.cores.max", 1) / cores.orElse(1));
        }
        return Math.max(1, executors);
    }

    /** The standalone master's web UI where it usually is: the master's host, port 8080. */
    public static URI defaultMasterWebUi(String sparkMaster) {
        URI master = URI.create(sparkMaster.split(",")[0]);
        return URI.create("http://" + master.getHost() + ":8080");
    }

    /** Registered executors; the memory status lists the driver's block manager too. */
    private static int registered(SparkContext sc) {
        return sc.getExecutorMemoryStatus().size() - 1;
    }

    private static String message(SparkContext sc, int executors, Duration timeout, URI masterWebUi) {
        SparkConf conf = sc.getConf();
        ExecutorShortage.Ask ask = new ExecutorShortage.Ask(executors,
                JavaUtils.byteStringAsMb(conf.get("spark.executor.memory", "1g")),
                conf.contains("spark.executor.cores") ? OptionalInt.of(conf.getInt("spark.executor.cores", 1))
                        : OptionalInt.empty(),
                conf.contains("spark.cores.max") ? OptionalInt.of(conf.getInt("spark.cores.max", 1))
                        : OptionalInt.empty());
        Optional<MasterState> master;
        String problem = "";
        try {
            master = Optional.of(MasterState.fetch(masterWebUi));
        } catch (IOException e) {
            master = Optional.empty();
            problem = "cannot read " + masterWebUi + "/json/ (" + e.getMessage() + ")";
        }
        int registered = registered(sc);
        return "only " + registered + " of " + executors + " executor(s) registered with the driver within "
                + timeout.toSeconds() + " s (" + ConfKeys.EXECUTOR_WAIT_SECONDS.name() + "): "
                + ExecutorShortage.explain(ask, registered, master, problem);
    }
}
