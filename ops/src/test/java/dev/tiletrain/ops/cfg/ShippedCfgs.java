package dev.tiletrain.ops.cfg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The cfgs in the repository's conf/ folder, found from the module directory Maven runs tests in. */
public final class ShippedCfgs {
    private ShippedCfgs() {}

    public static Path path(String name) {
        Path p = Path.of("..", "conf", name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("no " + p.toAbsolutePath().normalize() + ": run the tests from the ops module");
        }
        return p;
    }

    /** Every cfg in conf/, by file name. */
    public static Stream<String> names() {
        try (Stream<Path> files = Files.list(Path.of("..", "conf"))) {
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
