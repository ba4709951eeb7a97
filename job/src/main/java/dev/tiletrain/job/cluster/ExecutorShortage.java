package dev.tiletrain.job.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Why a standalone application has fewer executors than it needs, from what it asked for and what the
 * master reports: the message a driver fails with instead of waiting forever (a standalone master never
 * refuses an application it cannot place; it only logs "requires more resource than any of Workers could
 * have").
 */
public final class ExecutorShortage {
    private ExecutorShortage() {}

    /**
     * What the application asked for.
     *
     * @param memoryMb {@code spark.executor.memory}
     * @param cores {@code spark.executor.cores}; empty: one executor per Worker takes all its free cores
     * @param coresMax {@code spark.cores.max}, if set
     */
    public record Ask(int executors, long memoryMb, OptionalInt cores, OptionalInt coresMax) {}

    /** The reason, naming the setting that asks for too much and what the Workers offer. */
    public static String explain(Ask ask, int registered, Optional<MasterState> master, String masterProblem) {
        String what = ask.memoryMb() + " MiB (spark.executor.memory) and "
                + (ask.cores().isPresent() ? ask.cores().getAsInt() + " core(s) (spark.executor.cores)" : "at least 1 core");
        if (master.isEmpty()) {
            return "each executor asks for " + what + "; the master's state is unknown: " + masterProblem;
        }
        List<MasterState.Worker> alive = master.get().aliveWorkers();
        if (alive.isEmpty()) {
            return "the master has no ALIVE worker (" + master.get().workers().size() + " known); start workers";
        }
        long maxMemory = alive.stream().mapToLong(MasterState.Worker::memoryMb).max().orElseThrow();
        if (ask.memoryMb() > maxMemory) {
            return "each executor asks for " + ask.memoryMb() + " MiB (spark.executor.memory) but the largest of the "
                    + alive.size() + " ALIVE worker(s) offers " + maxMemory + " MiB; lower spark.executor.memory"
                    + " or give the workers more memory (submit/cluster start --worker-memory, or --memory on a test bed)";
        }
        int maxCores = alive.stream().mapToInt(MasterState.Worker::cores).max().orElseThrow();
        if (ask.cores().isPresent() && ask.cores().getAsInt() > maxCores) {
            return "each executor asks for " + ask.cores().getAsInt() + " core(s) (spark.executor.cores) but the largest"
                    + " of the " + alive.size() + " ALIVE worker(s) has " + maxCores + "; lower spark.executor.cores"
                    + " or give the workers more cores (submit/cluster start --cores)";
        }
        int perExecutor = ask.cores().orElse(1);
        if (ask.coresMax().isPresent() && ask.coresMax().getAsInt() / perExecutor < ask.executors()) {
            return "spark.cores.max=" + ask.coresMax().getAsInt() + " allows only " + ask.coresMax().getAsInt() / perExecutor
                    + " executor(s) of " + perExecutor + " core(s), " + ask.executors() + " are needed";
        }
        long room = alive.stream().mapToLong(w -> room(w, ask)).sum();
        if (registered + room < ask.executors()) {
            List<String> offers = new ArrayList<>();
            for (MasterState.Worker w : alive) {
                offers.add(w.id() + ": " + w.coresFree() + " core(s), " + w.memoryFreeMb() + " MiB free");
            }
            List<String> apps = master.get().activeApps().stream()
                    .map(a -> a.id() + " \"" + a.name() + "\" holds " + a.cores() + " core(s)").toList();
            return ask.executors() + " executor(s) of " + what + " are needed; the " + alive.size()
                    + " ALIVE worker(s) have room for " + room + " more (" + String.join("; ", offers) + ")"
                    + (apps.isEmpty() ? "; start more workers" : "; running applications: " + String.join("; ", apps));
        }
        return "the workers have room for the executors but they did not register; read the executors' stderr"
                + " in the workers' work directories and the worker logs";
    }

    /** How many more executors of the ask a Worker can host now. */
    private static long room(MasterState.Worker w, Ask ask) {
        long byMemory = w.memoryFreeMb() / ask.memoryMb();
        if (ask.cores().isEmpty()) {
            // Without spark.executor.cores an executor takes all free cores: one per Worker per application.
            return w.coresFree() > 0 ? Math.min(1, byMemory) : 0;
        }
        return Math.min(byMemory, w.coresFree() / ask.cores().getAsInt());
    }
}
