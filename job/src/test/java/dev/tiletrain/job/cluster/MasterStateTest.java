package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MasterStateTest {
    /** A Spark 4.2.0 master's /json/ with one ALIVE and one DEAD worker and a running application. */
    static final String JSON = """
            {
              "url" : "spark://127.0.0.1:17077",
              "workers" : [ {
                "id" : "worker-20261129173253-127.0.0.1-46329", "host" : "127.0.0.1", "port" : 46329,
                "webuiaddress" : "http://127.0.0.1:43481", "cores" : 2, "coresused" : 1, "coresfree" : 1,
                "memory" : 1024, "memoryused" : 512, "memoryfree" : 512,
                "resources" : { }, "resourcesused" : { }, "resourcesfree" : { },
                "state" : "ALIVE", "lastheartbeat" : 1795973589571
              }, {
                "id" : "worker-20261129173254-127.0.0.1-40001", "host" : "127.0.0.1", "port" : 40001,
                "webuiaddress" : "http://127.0.0.1:43482", "cores" : 1, "coresused" : 0, "coresfree" : 1,
                "memory" : 2048, "memoryused" : 0, "memoryfree" : 2048,
                "resources" : { }, "resourcesused" : { }, "resourcesfree" : { },
                "state" : "DEAD", "lastheartbeat" : 1795973589000
              } ],
              "aliveworkers" : 1, "cores" : 3, "coresused" : 1, "memory" : 3072, "memoryused" : 512,
              "resources" : [ { } ], "resourcesused" : [ { } ],
              "activeapps" : [ {
                "id" : "app-20261129174544-0001", "starttime" : 1795973944000, "name" : "probe", "cores" : 1,
                "user" : "root", "memoryperexecutor" : 512, "memoryperslave" : 512,
                "resourcesperexecutor" : [ ], "resourcesperslave" : [ ],
                "submitdate" : "Sun Nov 29 17:45:44 UTC 2026", "state" : "RUNNING", "duration" : 1000
              } ],
              "completedapps" : [ ], "activedrivers" : [ ], "completeddrivers" : [ ],
              "status" : "ALIVE"
            }""";

    @Test
    void readsWorkersAndApplications() {
        MasterState state = MasterState.parse(JSON);
        assertTrue(state.alive());
        assertEquals("spark://127.0.0.1:17077", state.url());
        assertEquals(2, state.workers().size());
        MasterState.Worker alive = state.aliveWorkers().get(0);
        assertEquals(List.of(alive), state.aliveWorkers());
        assertEquals("http://127.0.0.1:43481", alive.webUiAddress());
        assertEquals(1, alive.coresFree());
        assertEquals(512, alive.memoryFreeMb());
        assertEquals(List.of(new MasterState.App("app-20261129174544-0001", "probe", 1, 512, "RUNNING")),
                state.activeApps());
    }

    @Test
    void htmlIsNotAState() {
        // The master answers /api/v1 with its HTML page, which must not pass for a state.
        assertThrows(IllegalArgumentException.class, () -> MasterState.parse("<html><body>Spark Master</body></html>"));
    }
}
