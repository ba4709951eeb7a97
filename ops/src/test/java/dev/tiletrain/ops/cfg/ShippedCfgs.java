package dev.tiletrain.ops.cfg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The cfgs in the repository's conf/ folder, found from the module's base directory (which surefire names in
 * {@code basedir}), whatever directory the tests run in.
 */
public final class ShippedCfgs {
    private static final Path CONF = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("../conf")
            .normalize();

    private ShippedCfgs() {}

    public static Path path(String name) {
        Path p = CONF.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("no " + p + " (basedir " + System.getProperty("basedir") + ")");
        }
        return p;
    }

    /** Every cfg in conf/, by file name. */
    public static Stream<String> names() {
        try (Stream<Path> files = Files.list(CONF)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cfg")).sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Cfg parse(String name) {
        try {
            return CfgParser.parse(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
