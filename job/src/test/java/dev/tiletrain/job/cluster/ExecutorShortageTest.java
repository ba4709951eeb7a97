package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ExecutorShortageTest {
    private static MasterState.Worker worker(String id, int cores, int coresUsed, long memory, long memoryUsed) {
        return new MasterState.Worker(id, "http://127.0.0.1:1", "ALIVE", cores, coresUsed, memory, memoryUsed);
    }

    private static MasterState master(List<MasterState.App> apps, MasterState.Worker... workers) {
        return new MasterState("spark://127.0.0.1:7077", "ALIVE", List.of(workers), apps);
    }

    private static ExecutorShortage.Ask ask(int executors, long memoryMb, OptionalInt cores) {
        return new ExecutorShortage.Ask(executors, memoryMb, cores, OptionalInt.empty());
    }

    private static void assertSays(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "\"" + p + "\" not in: " + message);
        }
    }

    @Test
    void memoryAboveEveryWorker() {
        String m = ExecutorShortage.explain(ask(2, 1500, OptionalInt.empty()), 0,
                Optional.of(master(List.of(), worker("w1", 1, 0, 1024, 0), worker("w2", 1, 0, 768, 0))), "");
        assertSays(m, "1500 MiB (spark.executor.memory)", "largest of the 2 ALIVE worker(s) offers 1024 MiB",
                "--memory");
    }

    @Test
    void coresAboveEveryWorker() {
        String m = ExecutorShortage.explain(ask(1, 512, OptionalInt.of(4)), 0,
                Optional.of(master(List.of(), worker("w1", 2, 0, 1024, 0))), "");
        assertSays(m, "4 core(s) (spark.executor.cores)", "has 2", "--cores");
    }

    @Test
    void otherApplicationsHoldTheRoom() {
        MasterState busy = master(List.of(new MasterState.App("app-1", "other", 2, 512, "RUNNING")),
                worker("w1", 1, 1, 1024, 512), worker("w2", 1, 1, 1024, 512));
        String m = ExecutorShortage.explain(ask(2, 512, OptionalInt.empty()), 0, Optional.of(busy), "");
        assertSays(m, "room for 0 more", "w1: 0 core(s), 512 MiB free", "app-1 \"other\" holds 2 core(s)");
    }

    @Test
    void tooFewWorkersForTheExecutorsNeeded() {
        String m = ExecutorShortage.explain(ask(4, 512, OptionalInt.empty()), 1,
                Optional.of(master(List.of(), worker("w1", 1, 1, 1024, 512), worker("w2", 1, 0, 1024, 0))), "");
        assertSays(m, "4 executor(s)", "room for 1 more", "start more workers");
    }

    @Test
    void coresMaxCapsTheExecutors() {
        String m = ExecutorShortage.explain(new ExecutorShortage.Ask(3, 512, OptionalInt.of(1), OptionalInt.of(2)), 0,
                Optional.of(master(List.of(), worker("w1", 4, 0, 4096, 0))), "");
        assertSays(m, "spark.cores.max=2 allows only 2 executor(s)");
    }

    @Test
    void noAliveWorker() {
        String m = ExecutorShortage.explain(ask(1, 512, OptionalInt.empty()), 0, Optional.of(master(List.of())), "");
        assertSays(m, "no ALIVE worker");
    }

    @Test
    void anUnreadableMasterIsSaidWithTheAsk() {
        String m = ExecutorShortage.explain(ask(1, 512, OptionalInt.empty()), 0, Optional.empty(),
                "cannot read http://127.0.0.1:8080/json/ (Connection refused)");
        assertSays(m, "512 MiB (spark.executor.memory)", "Connection refused");
    }

    @Test
    void roomButNoRegistrationPointsAtTheExecutorLogs() {
        String m = ExecutorShortage.explain(ask(1, 512, OptionalInt.empty()), 0,
                Optional.of(master(List.of(), worker("w1", 1, 0, 1024, 0))), "");
        assertSays(m, "did not register", "stderr");
    }

    @Test
    void theMastersWebUiIsGuessedFromItsUrl() {
        assertEquals(URI.create("http://10.0.0.5:8080"), ExecutorWait.defaultMasterWebUi("spark://10.0.0.5:7077"));
        assertEquals(URI.create("http://pi0:8080"), ExecutorWait.defaultMasterWebUi("spark://pi0:7077,pi1:7077"));
    }
}
