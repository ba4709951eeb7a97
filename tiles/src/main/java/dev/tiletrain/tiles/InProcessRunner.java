package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.net.Backprop;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.net.BackwardStart;
import dev.tiletrain.ops.net.StepResult;
import dev.tiletrain.ops.net.Trace;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Runs a {@link TrainingPlan} in one JVM, tiles on a thread pool, step by step in the plan's order: the
 * oracle the Spark job must equal. The per-tile work and the tile-order reductions are {@link TileSteps},
 * the same the Spark job runs.
 */
public final class InProcessRunner implements AutoCloseable {
    private final TrainingPlan plan;
    private final TileSteps steps;
    private final ExecutorService pool;

    public InProcessRunner(TrainingPlan plan, int threads) {
        this.plan = plan;
        this.steps = new TileSteps(plan);
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tile");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * One forward and backward pass of a whole batch through the plan; {@code seen} is Darknet's count of
     * images trained on, this batch included (the region loss's warm-up reads it).
     */
    public StepResult run(Tensor input, BackwardStart seed, boolean training, long passSeed, long seen) {
        int groups = plan.groups().size();
        TileState[][] states = new TileState[groups][];
        Map<BatchNorm, BatchNorm.Stats> stats = new IdentityHashMap<>();
        WholeMapPass tailPass = new WholeMapPass(training, passSeed, seen);
        float cost = 0;
        Tensor output = null;
        for (PlanStep step : plan.steps()) {
            if (step instanceof PlanStep.ReadInput) {
                FusedGroup g0 = plan.group(0);
                states[0] = parallel(g0.tiles(), t -> steps.start(0, t, input.crop(g0.input(t)), training, passSeed));
            } else if (step instanceof PlanStep.Forward f) {
                TileState[] s = states[f.group()];
                states[f.group()] = parallel(s.length, t -> steps.forward(s[t], f));
            } else if (step instanceof PlanStep.SyncForward sf && training) {
                TileState[] s = states[sf.group()];
                List<BatchNorm.Moments> local = List.of(parallel(s.length, t -> steps.moments(s[t], sf.layer()),
                        BatchNorm.Moments[]::new));
                BatchNorm.Stats st = TileSteps.statistics(local);
                stats.put((BatchNorm) plan.group(sf.group()).layer(sf.layer()), st);
                states[sf.group()] = parallel(s.length, t -> steps.withStatistics(s[t], sf.layer(), st));
            } else if (step instanceof PlanStep.GatherHalo h) {
                TileState[] from = states[h.boundary()];
                List<HaloPiece> pieces = new ArrayList<>();
                for (TileState s : from) {
                    pieces.addAll(steps.haloOut(s, h.boundary()));
                }
                states[h.boundary() + 1] = parallel(plan.group(h.boundary() + 1).tiles(),
                        t -> steps.gather(h.boundary(), t, forTile(pieces, t, true), training, passSeed));
            } else if (step instanceof PlanStep.Tail tail) {
                TileState[] last = states[groups - 1];
                FusedGroup g = plan.group(groups - 1);
                Tensor gathered = Tensor.zeros(input.n, g.outputShape().c(), g.outputShape().full());
                for (TileState s : last) {
                    gathered.copyOverlap(s.last());
                }
                Tensor dGathered;
                if (tail.firstBlock() <= tail.lastBlock()) {
                    Network net = plan.network();
                    Trace trace = net.forward(tail.firstBlock(), tail.lastBlock(), gathered, tailPass);
                    Backprop.Result s = Backprop.backward(net, trace, seed, tailPass);
                    cost = s.cost();
                    dGathered = s.inputGradient();
                    output = trace.output(tail.lastBlock());
                } else if (seed instanceof BackwardStart.Gradient grad) {
                    dGathered = grad.gradient();
                    output = gathered;
                } else {
                    throw new IllegalStateException("the network ends inside the tiled prefix: no loss layer to train");
                }
                Tensor d = dGathered;
                states[groups - 1] = parallel(last.length, t -> steps.startBackward(last[t], d.crop(g.ownedOutput(t))));
            } else if (step instanceof PlanStep.Backward b) {
                TileState[] s = states[b.group()];
                states[b.group()] = parallel(s.length, t -> steps.backward(s[t], b));
            } else if (step instanceof PlanStep.SyncBackward sb && training) {
                TileState[] s = states[sb.group()];
                BatchNorm.BackwardSums total = TileSteps.backwardSums(List.of(
                        parallel(s.length, t -> steps.localSums(s[t], sb.layer()), BatchNorm.BackwardSums[]::new)));
                states[sb.group()] = parallel(s.length, t -> steps.withBackwardSums(s[t], sb.layer(), total));
            } else if (step instanceof PlanStep.AddHalo ah) {
                List<HaloPiece> pieces = new ArrayList<>();
                for (TileState s : states[ah.boundary() + 1]) {
                    pieces.addAll(steps.haloBack(s, ah.boundary()));
                }
                TileState[] owners = states[ah.boundary()];
                states[ah.boundary()] = parallel(owners.length,
                        t -> steps.addHalo(owners[t], ah.boundary(), forTile(pieces, t, false)));
            }
            // ReduceGradients: below, once every step ran.
        }
        Tensor inputGradient = Tensor.zeros(input.n, input.c, input.rect);
        for (TileState s : states[0]) {
            inputGradient.addOverlap(s.delta());
        }
        stats.putAll(tailPass.statistics());
        Map<Param, float[]> grads = new IdentityHashMap<>();
        for (TileState[] group : states) {
            grads.putAll(tileSums(group));
        }
        for (Param p : plan.network().params()) {
            float[] g = tailPass.gradOrNull(p);
            if (g != null && grads.put(p, g) != null) {
                throw new IllegalStateException(p + " has gradients from both the tiles and the tail");
            }
        }
        return new StepResult(cost, output, inputGradient, grads, stats);
    }

    /**
     * A group's parameter gradients: each parameter's partial gradients of all tiles, added in the tile tree
     * order of {@link TileSum} (a tile that has none adds zeros), as the Spark job adds them.
     */
    private static Map<Param, float[]> tileSums(TileState[] group) {
        Map<Param, TileSum> sums = new IdentityHashMap<>();
        for (TileState s : group) {
            for (Param p : s.pass().gradients().keySet()) {
                sums.computeIfAbsent(p, q -> new TileSum());
            }
        }
        Map<Param, float[]> totals = new IdentityHashMap<>();
        sums.forEach((p, sum) -> {
            for (TileState s : group) {
                float[] g = s.pass().gradients().get(p);
                sum.merge(TileSum.of(s.tile(), group.length, g == null ? new float[p.size()] : g.clone()));
            }
            totals.put(p, sum.total());
        });
        return totals;
    }

    /** The pieces addressed to tile {@code t}: by receiver going forward, by owner going back. */
    private static List<HaloPiece> forTile(List<HaloPiece> pieces, int t, boolean forward) {
        List<HaloPiece> mine = new ArrayList<>();
        for (HaloPiece p : pieces) {
            if ((forward ? p.strip().to() : p.strip().from()) == t) {
                mine.add(p);
            }
        }
        return mine;
    }

    private TileState[] parallel(int tiles, IntFunction<TileState> work) {
        return parallel(tiles, work, TileState[]::new);
    }

    private <T> T[] parallel(int tiles, IntFunction<T> work, IntFunction<T[]> array) {
        List<Future<T>> running = new ArrayList<>();
        for (int t = 0; t < tiles; t++) {
            int tile = t;
            running.add(pool.submit(() -> work.apply(tile)));
        }
        T[] out = array.apply(tiles);
        try {
            for (int t = 0; t < tiles; t++) {
                out[t] = running.get(t).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        return out;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
