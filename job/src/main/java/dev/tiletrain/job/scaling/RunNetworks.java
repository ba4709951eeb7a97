package dev.tiletrain.job.scaling;

import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.cfg.NetConfig;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The networks the scaling runs trained, read from {@code <model>.cfg} in one directory (the project's
 * {@code conf/}) and built once per cfg, input size and batch-norm mode (which decides the plan's sync stages): a
 * table of ~50 runs uses two or three.
 */
final class RunNetworks {
    private final Path cfgDir;
    private final Map<String, Network> built = new HashMap<>();

    RunNetworks(Path cfgDir) {
        this.cfgDir = cfgDir;
    }

    Network of(String model, int size, BatchNorm.Mode mode) throws IOException {
        String key = model + "@" + size + "/" + mode;
        Network n = built.get(key);
        if (n == null) {
            Path cfgFile = cfgDir.resolve(model + ".cfg");
            if (!Files.isRegularFile(cfgFile)) {
                throw new IOException("no " + cfgFile + " for the runs of model " + model + " (--cfg-dir names the "
                        + "directory of the runs' cfgs)");
            }
            var cfg = CfgParser.parse(cfgFile);
            n = ModelBuilder.build(cfg, mode, 0, new Shape(NetConfig.of(cfg).channels(), size, size))
                    .network();
            built.put(key, n);
        }
        return n;
    }
}
