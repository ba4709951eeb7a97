package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.net.Backprop;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.net.OutputSeed;
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
import java.util.function.IntConsumer;

/**
 * Runs a {@link TrainingPlan} in one JVM, tiles on a thread pool, step by step in the plan's order: the
 * oracle the Spark job must equal. Every reduction (batch-norm sums, halo adds, gradients) adds in tile
 * order, as the Spark job does, so both get the same bits.
 */
public final class InProcessRunner implements AutoCloseable {
    private final TrainingPlan plan;
    private final ExecutorService pool;

    public InProcessRunner(TrainingPlan plan, int threads) {
        this.plan = plan;
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
    public StepResult run(Tensor input, OutputSeed seed, boolean training, long passSeed, long seen) {
        return new Iteration(input, seed, training, passSeed, seen).run();
    }

    /** The state of one pass: per group and tile its pass, kept activations and current delta. */
    private final class Iteration {
        private final Tensor input;
        private final OutputSeed seed;
        private final boolean training;
        private final TilePass[][] passes;
        private final List<List<List<Tensor>>> acts = new ArrayList<>();
        private final Tensor[][] delta;
        private final Map<BatchNorm, BatchNorm.Stats> stats = new IdentityHashMap<>();
        private final WholeMapPass tailPass;
        private float cost;
        private Tensor output;

        Iteration(Tensor input, OutputSeed seed, boolean training, long passSeed, long seen) {
            this.input = input;
            this.seed = seed;
            this.training = training;
            int groups = plan.groups().size();
            passes = new TilePass[groups][];
            delta = new Tensor[groups][];
            for (FusedGroup g : plan.groups()) {
                passes[g.index()] = new TilePass[g.tiles()];
                delta[g.index()] = new Tensor[g.tiles()];
                List<List<Tensor>> perTile = new ArrayList<>();
                for (int t = 0; t < g.tiles(); t++) {
                    passes[g.index()][t] = new TilePass(training, passSeed);
                    passes[g.index()][t].own(g, t);
                    perTile.add(new ArrayList<>());
                }
                acts.add(perTile);
            }
            tailPass = new WholeMapPass(training, passSeed, seen);
        }

        StepResult run() {
            for (PlanStep step : plan.steps()) {
                if (step instanceof PlanStep.ReadInput) {
                    readInput();
                } else if (step instanceof PlanStep.Forward f) {
                    forward(f);
                } else if (step instanceof PlanStep.SyncForward s) {
                    syncForward(s);
                } else if (step instanceof PlanStep.GatherHalo h) {
                    gather(h.boundary());
                } else if (step instanceof PlanStep.Tail t) {
                    tail(t);
                } else if (step instanceof PlanStep.Backward b) {
                    backward(b);
                } else if (step instanceof PlanStep.SyncBackward s) {
                    syncBackward(s);
                } else if (step instanceof PlanStep.AddHalo a) {
                    addHalo(a.boundary());
                }
                // ReduceGradients: done once all steps ran, below.
            }
            FusedGroup first = plan.group(0);
            Tensor inputGradient = Tensor.zeros(input.n, input.c, input.rect);
            for (int t = 0; t < first.tiles(); t++) {
                inputGradient.addOverlap(delta[0][t]);
            }
            stats.putAll(tailPass.statistics());
            return new StepResult(cost, output, inputGradient, reduceGradients(), stats);
        }

        private void readInput() {
            FusedGroup g = plan.group(0);
            for (int t = 0; t < g.tiles(); t++) {
                acts.get(0).get(t).add(input.crop(g.input(t)));
            }
        }

        private void forward(PlanStep.Forward f) {
            FusedGroup g = plan.group(f.group());
            parallel(g.tiles(), t -> {
                List<Tensor> a = acts.get(f.group()).get(t);
                Tensor cur = a.get(a.size() - 1);
                for (int i = f.from(); i <= f.to(); i++) {
                    cur = g.layer(i).forward(cur, g.output(t, i), passes[f.group()][t]);
                    a.add(cur);
                }
            });
        }

        private void syncForward(PlanStep.SyncForward s) {
            if (!training) {
                return;
            }
            FusedGroup g = plan.group(s.group());
            BatchNorm bn = (BatchNorm) g.layer(s.layer());
            BatchNorm.Moments[] local = new BatchNorm.Moments[g.tiles()];
            parallel(g.tiles(), t -> {
                Tensor x = acts.get(s.group()).get(t).get(s.layer());
                local[t] = bn.moments(x, g.owned(t, s.layer()));
            });
            BatchNorm.Moments total = local[0];
            for (int t = 1; t < local.length; t++) {
                total = total.plus(local[t]);
            }
            BatchNorm.Stats st = total.stats();
            stats.put(bn, st);
            for (TilePass p : passes[s.group()]) {
                p.setStatistics(bn, st);
            }
        }

        private void gather(int boundary) {
            FusedGroup from = plan.group(boundary), to = plan.group(boundary + 1);
            for (int t = 0; t < to.tiles(); t++) {
                Tensor in = Tensor.zeros(input.n, from.outputShape().c(), to.input(t));
                for (HaloStrip s : plan.boundary(boundary)) {
                    if (s.to() == t) {
                        in.copyOverlap(last(boundary, s.from()));
                    }
                }
                acts.get(boundary + 1).get(t).add(in);
            }
        }

        private void tail(PlanStep.Tail step) {
            int lastGroup = plan.groups().size() - 1;
            FusedGroup g = plan.group(lastGroup);
            Tensor gathered = Tensor.zeros(input.n, g.outputShape().c(), g.outputShape().full());
            for (int t = 0; t < g.tiles(); t++) {
                gathered.copyOverlap(last(lastGroup, t));
            }
            Tensor dGathered;
            if (step.firstBlock() <= step.lastBlock()) {
                Network net = plan.network();
                Trace trace = net.forward(step.firstBlock(), step.lastBlock(), gathered, tailPass);
                Backprop.Seeded s = Backprop.backward(net, trace, seed, tailPass);
                cost = s.cost();
                dGathered = s.inputGradient();
                output = trace.output(step.lastBlock());
            } else if (seed instanceof OutputSeed.Gradient grad) {
                dGathered = grad.gradient();
                output = gathered;
            } else {
                throw new IllegalStateException("the network ends inside the tiled prefix: no loss layer to train");
            }
            for (int t = 0; t < g.tiles(); t++) {
                delta[lastGroup][t] = dGathered.crop(g.ownedOutput(t));
            }
        }

        private void backward(PlanStep.Backward b) {
            FusedGroup g = plan.group(b.group());
            parallel(g.tiles(), t -> {
                List<Tensor> a = acts.get(b.group()).get(t);
                Tensor d = delta[b.group()][t];
                for (int i = b.from(); i >= b.to(); i--) {
                    d = g.layer(i).backward(a.get(i), a.get(i + 1), d, passes[b.group()][t]);
                }
                delta[b.group()][t] = d;
            });
        }

        private void syncBackward(PlanStep.SyncBackward s) {
            if (!training) {
                return;
            }
            FusedGroup g = plan.group(s.group());
            BatchNorm bn = (BatchNorm) g.layer(s.layer());
            BatchNorm.Stats st = stats.get(bn);
            BatchNorm.BackwardSums[] local = new BatchNorm.BackwardSums[g.tiles()];
            parallel(g.tiles(), t -> local[t] = bn.localSums(acts.get(s.group()).get(t).get(s.layer()),
                    delta[s.group()][t], st));
            BatchNorm.BackwardSums total = local[0];
            for (int t = 1; t < local.length; t++) {
                total = total.plus(local[t]);
            }
            for (TilePass p : passes[s.group()]) {
                p.setBackwardSums(bn, total);
            }
        }

        private void addHalo(int boundary) {
            FusedGroup owners = plan.group(boundary);
            for (int u = 0; u < owners.tiles(); u++) {
                Tensor d = Tensor.zeros(input.n, owners.outputShape().c(), owners.ownedOutput(u));
                for (HaloStrip s : plan.boundary(boundary)) {
                    if (s.from() == u) {
                        d.addOverlap(delta[boundary + 1][s.to()]);
                    }
                }
                delta[boundary][u] = d;
            }
        }

        private Map<Param, float[]> reduceGradients() {
            Map<Param, float[]> sum = new IdentityHashMap<>();
            for (TilePass[] group : passes) {
                for (TilePass p : group) {
                    add(sum, p.gradients());
                }
            }
            for (Param p : plan.network().params()) {
                float[] g = tailPass.gradOrNull(p);
                if (g != null) {
                    add(sum, Map.of(p, g));
                }
            }
            return sum;
        }

        private Tensor last(int group, int t) {
            List<Tensor> a = acts.get(group).get(t);
            return a.get(a.size() - 1);
        }
    }

    private static void add(Map<Param, float[]> sum, Map<Param, float[]> part) {
        for (Map.Entry<Param, float[]> e : part.entrySet()) {
            float[] s = sum.computeIfAbsent(e.getKey(), p -> new float[p.size()]);
            float[] g = e.getValue();
            for (int i = 0; i < s.length; i++) {
                s[i] += g[i];
            }
        }
    }

    private void parallel(int tiles, IntConsumer work) {
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < tiles; t++) {
            int tile = t;
            running.add(pool.submit(() -> work.accept(tile)));
        }
        try {
            for (Future<?> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
