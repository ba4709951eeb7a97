package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFileTest {
    @TempDir
    Path dir;

    @Test
    void eachStartWritesANewSecretThatOnlyItsOwnerCanRead() throws IOException {
        Path file = dir.resolve("cluster/secret");
        SecretFile.create(file);
        String first = SecretFile.read(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(first.matches("[0-9a-f]{64}"), first);
        SecretFile.create(file);
        assertNotEquals(first, SecretFile.read(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        SecretFile.delete(file);
        assertFalse(Files.exists(file));
    }

    /** A secret copied to a device without its mode is refused, saying how to fix it. */
    @Test
    void aSecretOthersCanReadIsRefused() throws IOException {
        Path file = dir.resolve("secret");
        Files.writeString(file, "0123abcd");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        ClusterException e = assertThrows(ClusterException.class, () -> SecretFile.read(file));
        assertEquals(file + " holds a cluster's secret but other users may read or write it (rw-r--r--); chmod 600 "
                + file, e.getMessage());
    }

    @Test
    void aMissingOrEmptySecretIsNamed() throws IOException {
        Path file = dir.resolve("secret");
        assertTrue(assertThrows(ClusterException.class, () -> SecretFile.read(file)).getMessage()
                .startsWith("no secret at " + file + ";"));
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        assertEquals(file + " is empty; it should hold the cluster's secret",
                assertThrows(ClusterException.class, () -> SecretFile.read(file)).getMessage());
    }
}
