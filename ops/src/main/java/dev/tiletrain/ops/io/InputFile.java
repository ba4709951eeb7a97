package dev.tiletrain.ops.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens a local input file with an error a user can act on, a {@link FileSystemException} whose message is
 * the path and the reason: Java's own says only the path for a missing file and "Is a directory" without the
 * path for a directory.
 */
public final class InputFile {
    private InputFile() {}

    public static InputStream open(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "is a directory, expected a file");
        }
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
    }
}
