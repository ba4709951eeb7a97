package dev.tiletrain.ops.model;

import dev.tiletrain.ops.cfg.NetConfig;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.optim.ParamLayout;
import dev.tiletrain.ops.weights.SectionWeights;
import java.util.List;

/**
 * A Darknet model: its {@code [net]} settings, the network its sections build, the parameters each section
 * stores in a {@code .weights} file, and the flat layout the optimizer and the cluster move gradients in
 * (with each section's {@code learning_rate=} multiplier).
 */
public record Model(String name, NetConfig net, Network network, List<SectionWeights> sections, ParamLayout layout) {
    public Model {
        sections = List.copyOf(sections);
    }
}
