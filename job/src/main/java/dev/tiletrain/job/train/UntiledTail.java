package dev.tiletrain.job.train;

import dev.tiletrain.data.BatchTruth;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.net.Backprop;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.net.BackwardStart;
import dev.tiletrain.ops.net.Trace;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.tiles.FusedGroup;
import dev.tiletrain.tiles.PlanStep;
import dev.tiletrain.tiles.TrainingPlan;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The untiled tail of a pass — the layers after the tiled prefix and the loss — computed by the driver
 * between the pass's forward and backward Spark jobs. These layers hold most of a detector's weights
 * (tiny-YOLO's first two layers hold 496 of its 15.9 million parameters), so they and their optimizer
 * state stay in the driver's model: per pass only the last group's output map arrives and its gradient
 * goes back, both map-sized. The driver runs on one of the devices (there is no server).
 */
final class UntiledTail {
    private final Network network;
    private final FusedGroup last;
    private final PlanStep.Tail step;
    private final BatchTruth truth;

    /** {@code plan} is the driver's plan over the whole network, whose weights the driver holds. */
    UntiledTail(TrainingPlan plan, BatchTruth truth) {
        this.network = plan.network();
        this.last = plan.group(plan.groups().size() - 1);
        this.step = plan.steps().stream().filter(PlanStep.Tail.class::isInstance).map(PlanStep.Tail.class::cast)
                .findFirst().orElseThrow();
        this.truth = truth;
    }

    /**
     * What the tail gives back for one pass: its cost, its input gradient cut into each tile's owned part
     * (tile order), its parameters' gradients and the batch statistics its batch norms used.
     */
    record Result(float cost, List<Tensor> deltas, Map<Param, float[]> gradients,
            Map<BatchNorm, BatchNorm.Stats> statistics) {}

    /**
     * Pass {@code pass} from the last group's owned outputs ({@code owned.get(t)}: tile t's), forward, loss
     * against the pass's truth and backward, as the in-process runner computes it; {@code seen} counts the
     * images trained on including this pass (the region loss's warm-up reads it).
     */
    Result run(List<Tensor> owned, long pass, long seen, long passSeed) {
        Shape map = last.outputShape();
        Tensor gathered = Tensor.zeros(owned.get(0).n, map.c(), map.full());
        long covered = 0;
        for (int t = 0; t < owned.size(); t++) {
            Tensor part = owned.get(t);
            if (!part.rect.equals(last.ownedOutput(t))) {
                throw new IllegalStateException("tile " + t + " sent " + part.rect + ", it owns " + last.ownedOutput(t));
            }
            gathered.copyOverlap(part);
            covered += part.rect.area();
        }
        if (covered != map.full().area()) {
            throw new IllegalStateException("the tail got " + covered + " of " + map.full().area() + " positions of "
                    + last + "'s output");
        }
        WholeMapPass tail = new WholeMapPass(true, passSeed, seen);
        Trace trace = network.forward(step.firstBlock(), step.lastBlock(), gathered, tail);
        Backprop.Result s = Backprop.backward(network, trace, new BackwardStart.Loss(truth.truth(pass)), tail);
        List<Tensor> deltas = new ArrayList<>();
        for (int t = 0; t < last.tiles(); t++) {
            deltas.add(s.inputGradient().crop(last.ownedOutput(t)));
        }
        Map<Param, float[]> gradients = new IdentityHashMap<>();
        for (int b = step.firstBlock(); b <= step.lastBlock(); b++) {
            network.block(b).layers().forEach(l -> l.params().forEach(p -> {
                float[] g = tail.gradOrNull(p);
                if (g != null) {
                    gradients.put(p, g);
                }
            }));
        }
        return new Result(s.cost(), deltas, gradients, tail.statistics());
    }
}
