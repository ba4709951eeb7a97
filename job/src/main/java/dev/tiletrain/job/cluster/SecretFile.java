package dev.tiletrain.job.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The shared secret of a secured cluster in a file only its owner can read or write (mode 0600): 256 random
 * bits as 64 hex digits, no newline. Spark authenticates every daemon, driver and executor with it and derives
 * the keys that encrypt their connections from it.
 */
public final class SecretFile {
    private static final int SECRET_BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private SecretFile() {}

    /**
     * Writes a new random secret to {@code file}, replacing any earlier one. The file is made with mode 0600,
     * so that no other user can open it even between its creation and the write.
     */
    public static void create(Path file) {
        byte[] secret = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(secret);
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.writeString(file, HexFormat.of().formatHex(secret), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ClusterException("cannot write the cluster's secret to " + file + ": " + e.getMessage());
        }
    }

    /** The secret in {@code file}, which must exist, be non-empty and be readable by its owner only. */
    public static String read(Path file) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(mode)) {
                throw new ClusterException(file + " holds a cluster's secret but other users may read or write it ("
                        + PosixFilePermissions.toString(mode) + "); chmod 600 " + file);
            }
            String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (secret.isEmpty()) {
                throw new ClusterException(file + " is empty; it should hold the cluster's secret");
            }
            return secret;
        } catch (NoSuchFileException e) {
            throw new ClusterException("no secret at " + file + "; the cluster was started without one (--insecure) or "
                    + "is stopped");
        } catch (IOException e) {
            throw new ClusterException("cannot read the cluster's secret " + file + ": " + e.getMessage());
        }
    }

    /** Removes the secret of a stopped cluster: nothing can use it any more. */
    public static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new ClusterException("cannot remove the cluster's secret " + file + ": " + e.getMessage());
        }
    }
}
