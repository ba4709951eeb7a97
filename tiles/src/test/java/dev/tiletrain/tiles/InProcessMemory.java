package dev.tiletrain.tiles;

import dev.tiletrain.ops.net.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory model of the in-process runner, which checks {@link TileMemory}'s and {@link TailMemory}'s terms
 * against a heap that can be measured in one JVM ({@link RunnerHeap}): the Spark job's executors and driver use
 * the same terms ({@link CostModel}).
 */
final class InProcessMemory {
    private InProcessMemory() {}

    /**
     * What the in-process runner ({@link InProcessRunner} on {@code threads} threads) allocates for one
     * iteration at its peak, beyond the parameters and the batch it is given: the per-device terms summed
     * over every tile of every group (as if devices = tiles), without the per-device copies of the weights
     * and of the reduction's vector, plus what only the runner keeps — every group's partial input deltas
     * to the end, the summed gradients and the input gradient it returns. The peak is the largest of three
     * moments: the tail, the backward of each group, and the end. (No device profile enters memory.)
     */
    static RunnerMemory of(TrainingPlan plan, int batch, int threads) {
        double kept = 0, scratch = 0;
        int groups = plan.groups().size();
        double[] gradients = new double[groups], inputDeltas = new double[groups], backward = new double[groups];
        for (FusedGroup g : plan.groups()) {
            List<Double> inFlight = new ArrayList<>();
            double held = 0;
            for (int t = 0; t < g.tiles(); t++) {
                kept += TileMemory.kept(g, t, batch);
                inputDeltas[g.index()] += TileMemory.inputDelta(g, t, batch);
                held += TileMemory.heldDelta(g, t, batch);
                inFlight.add(TileMemory.backwardInFlight(g, t, batch));
                scratch = Math.max(scratch, TileMemory.scratch(g, t));
            }
            gradients[g.index()] = g.tiles() * TileMemory.gradients(g);
            backward[g.index()] = held + CostModel.largest(inFlight, Math.min(threads, g.tiles()));
        }
        int maxTiles = plan.groups().stream().mapToInt(FusedGroup::tiles).max().orElse(1);
        double always = kept + Math.min(threads, maxTiles) * scratch + TailMemory.scratch(plan) + TailMemory.gradients(plan);
        double tailMoment = TailMemory.working(plan, batch);
        double worstBackward = 0, later = 0, gradientsSoFar = 0;
        int worst = groups - 1;
        for (int g = groups - 1; g >= 0; g--) {
            gradientsSoFar += gradients[g];
            double b = later + gradientsSoFar + backward[g];
            if (b > worstBackward) {
                worstBackward = b;
                worst = g;
            }
            later += inputDeltas[g];
        }
        Network net = plan.network();
        double endMoment = later + gradientsSoFar + CostModel.parameterBytes(net, true)
                + 4.0 * batch * net.input().size() + TailMemory.output(plan, batch);
        String moment = endMoment >= worstBackward && endMoment >= tailMoment ? "end"
                : worstBackward >= tailMoment ? "backward of group " + worst : "tail";
        return new RunnerMemory((long) (always + Math.max(endMoment, Math.max(worstBackward, tailMoment))),
                (long) kept, (long) gradientsSoFar, (long) later, moment);
    }

    /**
     * The in-process runner's predicted peak and three of its parts: kept activations, the tiles' partial
     * gradients and the partial input deltas of all groups, and the moment the peak falls on.
     */
    record RunnerMemory(long peak, long activations, long tileGradients, long inputDeltas, String moment) {}
}
