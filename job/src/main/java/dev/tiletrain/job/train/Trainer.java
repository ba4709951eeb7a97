package dev.tiletrain.job.train;

import dev.tiletrain.job.checkpoint.Checkpoint;
import dev.tiletrain.job.checkpoint.CheckpointStore;
import dev.tiletrain.job.cluster.ExecutorWait;
import dev.tiletrain.job.conf.ConfException;
import dev.tiletrain.job.conf.ConfKeys;
import dev.tiletrain.job.conf.TiletrainConf;
import dev.tiletrain.job.metrics.MetricsCsv;
import dev.tiletrain.job.metrics.StageTimesListener;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelOptimizer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's training loop on a running SparkContext: waits for the executors, sets the run up, then per
 * iteration runs its passes (a forward and a backward Spark job each, job group {@code iter-<n>}), applies
 * Darknet's update to the driver's model, broadcasts the tiled layers' new weights (destroying the old), logs
 * one line, and checkpoints. The untiled tail's weights and optimizer state never leave the driver.
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
        Model model = setup.model();
        LOG.info("plan for {} at {}x{}, batch {} in {} pass(es), {} executor(s) with {} core(s):\n{}",
                setup.spec().cfgName(), setup.spec().width(), setup.spec().height(), setup.batch(),
                setup.subdivisions(), executors, devices,
                PlanTable.describe(setup.plan(), setup.spec().imagesPerPass(), setup.prediction()).stripTrailing());
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
        Broadcast<float[]> weights = sc.broadcast(model.layout().flattenLeading(setup.tiledParameters()));
        TrainAccumulators acc = TrainAccumulators.register(sc);
        PassJob job = new PassJob(sc, setup, acc, conf.get(ConfKeys.AGGREGATE_DEPTH));
        int iterations = setup.iterations(), every = conf.get(ConfKeys.CHECKPOINT_EVERY);
        IterationStep step = new IterationStep(optimizer, setup.batch(), start, iterations);
        long lastSaved = -1;
        try {
            for (long it = start; it < iterations; it++) {
                long n = it + 1, begin = System.nanoTime();
                long haloBefore = acc.haloForward().value() + acc.haloBackward().value();
                sc.setJobGroup("iter-" + n, "iteration " + n + " of " + iterations, false);
                float[] gradient = null;
                double cost = 0;
                PrefixBroadcast prefix = new PrefixBroadcast(spec, weights);
                for (int sub = 0; sub < setup.subdivisions(); sub++) {
                    PassJob.Result pass = job.run(it * setup.subdivisions() + sub, prefix);
                    requireStatistics(model, setup.spec().mode(), pass);
                    IterationStep.updateRolling(pass.statistics());
                    gradient = IterationStep.add(gradient, pass.gradient());
                    cost += pass.cost();
                }
                step.update(n, gradient);
                Broadcast<float[]> next = sc.broadcast(model.layout().flattenLeading(setup.tiledParameters()));
                release(weights);
                weights = next;
                double halo = (acc.haloForward().value() + acc.haloBackward().value() - haloBefore) / 1e6;
                LOG.info(step.line(n, cost, (System.nanoTime() - begin) / 1e9, halo));
                if (store.isPresent() && n % every == 0) {
                    save(store.get(), n, setup.batch(), model, optimizer);
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
                    : save(store.get(), iterations, setup.batch(), model, optimizer));
            LOG.info("final weights: {}/{}", last.get(), TrainCheckpoint.WEIGHTS);
        }
        return new Outcome(iterations, step.loss(), last);
    }

    private static Path save(CheckpointStore store, long iteration, int batch, Model model, ModelOptimizer optimizer)
            throws IOException {
        Path dir = TrainCheckpoint.write(store, iteration, iteration * batch, model, optimizer.momentum());
        LOG.info("checkpoint {}", dir);
        return dir;
    }

    /** Removes the executors' copies (waiting for them) and the driver's: the value is gone for good. */
    private static void release(Broadcast<?> b) {
        b.unpersist(true);
        b.destroy();
    }

    /** Sync batch norm: every batch norm's statistics came back; frozen: none are batch statistics. */
    private static void requireStatistics(Model model, BatchNorm.Mode mode, PassJob.Result pass) {
        int norms = model.network().batchNorms().size();
        int expected = mode == BatchNorm.Mode.SYNC ? norms : 0;
        if (pass.statistics().size() != expected) {
            throw new IllegalStateException("the pass returned the statistics of " + pass.statistics().size() + " of "
                    + norms + " batch norms, expected " + expected);
        }
    }
}
