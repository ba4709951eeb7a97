package dev.tiletrain.job.conf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The documented table of keys is the registry's: a key added, removed or changed in {@link ConfKeys}
 * fails here until the doc is regenerated ({@code java -cp job/target/classes:… KeysTable}, or paste the
 * table from this failure).
 */
class KeysTableTest {
    /** Where the table lives: the repository's README. */
    private static final Path DOC = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("../README.md").normalize();

    @Test
    void theDocHoldsTheRegistrysTable() throws Exception {
        String doc = Files.readString(DOC);
        String table = KeysTable.markdown();
        assertTrue(doc.contains(table), DOC + " does not hold the current table of keys; replace it with:\n\n" + table);
        for (ConfKey<?> key : ConfKeys.ALL) {
            assertTrue(doc.contains("`" + key.name() + "`"), key.name());
        }
    }
}
