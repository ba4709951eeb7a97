package dev.tiletrain.tiles;

import java.nio.file.Path;

/**
 * Files of the repository's conf/ folder (cfgs, device profiles), found from the module's base directory (which
 * surefire names in {@code basedir}), whatever directory the tests run in.
 */
public final class ConfFiles {
    private static final Path CONF = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("../conf")
            .normalize();

    private ConfFiles() {}

    /** {@code conf/<relative>}. */
    public static Path of(String relative) {
        return CONF.resolve(relative);
    }
}
