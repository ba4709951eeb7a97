package dev.tiletrain.ops.cfg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

    public static Cfg parse(String name) {
        try {
            return CfgParser.parse(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
