package dev.tiletrain.job.train;

import dev.tiletrain.job.checkpoint.Checkpoint;
import dev.tiletrain.job.checkpoint.CheckpointStore;
import dev.tiletrain.job.cluster.ExecutorWait;
import dev.tiletrain.job.conf.ConfException;
import dev.tiletrain.job.conf.ConfKeys;
import dev.tiletrain.job.conf.TiletrainConf;
import dev.tiletrain.job.metrics.Eta;
import dev.tiletrain.job.metrics.MetricsCsv;
import dev.tiletrain.job.metrics.StageTimesListener;
import dev.tiletrain.job.rdd.PassSum;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelOptimizer;
import dev.tiletrain.ops.net.StepResult;
import dev.tiletrain.ops.optim.ImagesSeen;
import dev.tiletrain.ops.optim.ParamLayout;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's training loop on a running SparkContext: waits for the executors, sets the run up, then per
 * iteration runs its passes (one Spark job each, job group {@code iter-<n>}), applies Darknet's update to
 * the driver's model, broadcasts the new weights (destroying the old), logs one line, and checkpoints.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private Trainer() {}

    /** How a run ended: iterations done, the last iteration's loss, the final checkpoint if one was written. */
    public record Outcome(long iterations, double loss, Optional<Path> checkpoint) {}

    public static Outcome run(JavaSparkContext sc, TiletrainConf conf, boolean resume) throws IOException {
        LOG.info("tiletrain configuration:\n{}", conf.describe().strip());
        URI masterUi = conf.find(ConfKeys.MASTER_WEB_UI).map(URI::create)
                .orElseGet(() -> sc.master().startsWith("spark://") ? ExecutorWait.defaultMasterWebUi(sc.master())
                        : URI.create("http://127.0.0.1:8080"));
        int executors = ExecutorWait.expected(sc.sc(), masterUi);
        ExecutorWait.await(sc.sc(), executors, Duration.ofSeconds(conf.get(ConfKeys.EXECUTOR_WAIT_SECONDS)), masterUi);
        int devices = sc.defaultParallelism();
        TrainSetup setup = TrainSetup.of(conf, sc.hadoopConfiguration(),
                List.of(sc.getConf().getAllWithPrefix("spark.hadoop.")), devices);
        RunModel driver = setup.driver();
        Model model = driver.model();
        LOG.info("plan for {} at {}x{}, batch {} in {} pass(es), {} executor(s) with {} core(s):\n{}",
                setup.spec().cfgName(), setup.spec().width(), setup.spec().height(), setup.batch(),
                setup.subdivisions(), executors, devices,
                PlanTable.describe(driver.plan(), setup.spec().batch(), setup.prediction()).stripTrailing());
        if (sc.sc().uiWebUrl().isDefined()) {
            LOG.info("Spark UI: {}", sc.sc().uiWebUrl().get());
        }

        Optional<CheckpointStore> store = conf.find(ConfKeys.CHECKPOINT_DIR).isEmpty() ? Optional.empty()
                : Optional.of(CheckpointStore.at(conf.get(ConfKeys.CHECKPOINT_DIR), sc.hadoopConfiguration()));
        ModelOptimizer optimizer = new ModelOptimizer(model, setup.sgd());
        long start = 0;
        if (resume) {
            CheckpointStore s = store.orElseThrow(() -> new ConfException(List.of("--resume needs "
                    + ConfKeys.CHECKPOINT_DIR.name())));
            Optional<Checkpoint> newest = s.newest();
            if (newest.isPresent()) {
                TrainCheckpoint.Restored r = TrainCheckpoint.restore(newest.get(), model);
                optimizer = new ModelOptimizer(model, setup.sgd(), r.momentum());
                start = r.iteration();
                LOG.info("resuming after iteration {} from {}", start, newest.get().dir());
            } else {
                LOG.info("no complete checkpoint in {}: starting at iteration 1", s.dir());
            }
        }
        if (store.isPresent()) {
            Path dir = store.get().dir();
            sc.sc().addSparkListener(new StageTimesListener(MetricsCsv.create(dir.getFileSystem(sc.hadoopConfiguration()),
                    dir, sc.sc().applicationId())));
        } else {
            LOG.warn("no {}: neither checkpoints nor the final weights will be saved", ConfKeys.CHECKPOINT_DIR.name());
        }

        Broadcast<RunSpec> spec = sc.broadcast(setup.spec());
        Broadcast<float[]> weights = sc.broadcast(model.layout().flatten());
        TrainAccumulators acc = TrainAccumulators.register(sc);
        ImagesSeen seen = new ImagesSeen(setup.seen(), setup.batch());
        if (seen.before() > 0) {
            LOG.info("continuing Darknet's schedule: {} images seen, batch number {}", seen.before(), seen.batchNumber(0));
        }
        PassJob job = new PassJob(sc, driver.plan(), acc, conf.get(ConfKeys.AGGREGATE_DEPTH), seen);
        int iterations = setup.iterations(), every = conf.get(ConfKeys.CHECKPOINT_EVERY);
        double average = -1, elapsed = 0, loss = Double.NaN;
        long lastSaved = -1;
        try {
            for (long it = start; it < iterations; it++) {
                long n = it + 1, begin = System.nanoTime();
                long haloBefore = acc.haloForward().value() + acc.haloBackward().value();
                sc.setJobGroup("iter-" + n, "iteration " + n + " of " + iterations, false);
                float[] gradient = null;
                double cost = 0;
                ExecutorModel ref = new ExecutorModel(spec, weights);
                for (int sub = 0; sub < setup.subdivisions(); sub++) {
                    PassSum pass = job.run(it * setup.subdivisions() + sub, ref);
                    updateRolling(model, setup.spec().mode(), pass);
                    float[] g = pass.gradients().sum(model.layout().size());
                    if (gradient == null) {
                        gradient = g;
                    } else {
                        for (int i = 0; i < g.length; i++) {
                            gradient[i] += g[i];
                        }
                    }
                    cost += pass.cost();
                }
                optimizer.apply(new StepResult((float) cost, null, null, byParam(model.layout(), gradient), Map.of()),
                        seen.batchNumber(n));
                Broadcast<float[]> next = sc.broadcast(model.layout().flatten());
                release(weights);
                weights = next;

                double seconds = (System.nanoTime() - begin) / 1e9;
                elapsed += seconds;
                loss = cost / setup.batch();
                average = average < 0 ? loss : average * .9 + loss * .1;
                double halo = (acc.haloForward().value() + acc.haloBackward().value() - haloBefore) / 1e6;
                LOG.info(String.format("iter %d/%d loss %.3f avg %.3f images/s %.2f halo %.3f MB ETA %s", n,
                        iterations, loss, average, setup.batch() / seconds, halo,
                        Eta.format(elapsed / (n - start) * (iterations - n))));
                if (store.isPresent() && n % every == 0) {
                    save(store.get(), n, seen.after(n), model, optimizer);
                    lastSaved = n;
                }
            }
        } finally {
            sc.clearJobGroup();
            release(weights);
            release(spec);
        }
        Optional<Path> last = Optional.empty();
        if (store.isPresent()) {
            last = Optional.of(lastSaved == iterations ? new Path(store.get().dir(), String.format("iter-%08d", iterations))
                    : save(store.get(), iterations, seen.after(iterations), model, optimizer));
            LOG.info("final weights: {}/{}", last.get(), TrainCheckpoint.WEIGHTS);
        }
        return new Outcome(iterations, loss, last);
    }

    private static Path save(CheckpointStore store, long iteration, long seen, Model model, ModelOptimizer optimizer)
            throws IOException {
        Path dir = TrainCheckpoint.write(store, iteration, seen, model, optimizer.momentum());
        LOG.info("checkpoint {}", dir);
        return dir;
    }

    /** Removes the executors' copies (waiting for them) and the driver's: the value is gone for good. */
    private static void release(Broadcast<?> b) {
        b.unpersist(true);
        b.destroy();
    }

    /** Darknet's rolling update from the statistics the pass used (every batch norm's, in sync mode). */
    private static void updateRolling(Model model, BatchNorm.Mode mode, PassSum pass) {
        List<BatchNorm> norms = model.network().batchNorms();
        int expected = mode == BatchNorm.Mode.SYNC ? norms.size() : 0;
        if (pass.statisticsCount() != expected) {
            throw new IllegalStateException("the pass returned the statistics of " + pass.statisticsCount() + " of "
                    + norms.size() + " batch norms, expected " + expected);
        }
        for (int k = 0; k < norms.size(); k++) {
            BatchNorm.Stats st = pass.statistics(k);
            if (st != null) {
                norms.get(k).updateRolling(st);
            }
        }
    }

    private static Map<Param, float[]> byParam(ParamLayout layout, float[] flat) {
        Map<Param, float[]> grads = new IdentityHashMap<>();
        for (int i = 0; i < layout.params().size(); i++) {
            ParamLayout.Range r = layout.ranges().get(i);
            grads.put(layout.params().get(i), Arrays.copyOfRange(flat, r.offset(), r.offset() + r.length()));
        }
        return grads;
    }
}
