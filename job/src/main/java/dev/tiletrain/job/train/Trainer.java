package dev.tiletrain.job.train;

import dev.tiletrain.data.DataFile;
import dev.tiletrain.data.Dataset;
import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.job.checkpoint.Checkpoint;
import dev.tiletrain.job.checkpoint.CheckpointStore;
import dev.tiletrain.job.cluster.ExecutorWait;
import dev.tiletrain.job.cluster.TestBedMeter;
import dev.tiletrain.job.conf.ConfException;
import dev.tiletrain.job.conf.ConfKeys;
import dev.tiletrain.job.conf.TiletrainConf;
import dev.tiletrain.job.detect.DetectCommand;
import dev.tiletrain.job.detect.Detector;
import dev.tiletrain.job.detect.MeanAveragePrecision;
import dev.tiletrain.job.detect.Validation;
import dev.tiletrain.job.metrics.DeviceSampler;
import dev.tiletrain.job.metrics.DriverIteration;
import dev.tiletrain.job.metrics.ExecutorMemoryPeaks;
import dev.tiletrain.job.metrics.HeapPeak;
import dev.tiletrain.job.metrics.MetricsCsv;
import dev.tiletrain.job.metrics.PredictionCheck;
import dev.tiletrain.job.metrics.StageTimesListener;
import dev.tiletrain.job.report.RunReport;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelOptimizer;
import dev.tiletrain.ops.optim.ImagesSeen;
import dev.tiletrain.ops.parallel.ComputeThreads;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.IntStream;
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
    /** How long the end of a run waits for Spark to deliver its last events to the stage-times listener. */
    private static final Duration LISTENER_DRAIN = Duration.ofSeconds(30);

    private Trainer() {}

    /**
     * How a run ended: iterations done, the last iteration's loss, the final checkpoint if one was written,
     * and whether it stopped early on request.
     */
    public record Outcome(long iterations, double loss, Optional<Path> checkpoint, boolean stopped) {}

    public static Outcome run(JavaSparkContext sc, TiletrainConf conf, boolean resume) throws IOException {
        return run(sc, conf, resume, StopRequest.never());
    }

    /** Trains; when {@code stop} asks, ends after the current iteration with a checkpoint of it. */
    public static Outcome run(JavaSparkContext sc, TiletrainConf conf, boolean resume, StopRequest stop)
            throws IOException {
        LOG.info("tiletrain configuration:\n{}", conf.describe().strip());
        URI masterUi = conf.find(ConfKeys.MASTER_WEB_UI).map(URI::create)
                .orElseGet(() -> sc.master().startsWith("spark://") ? ExecutorWait.defaultMasterWebUi(sc.master())
                        : URI.create("http://127.0.0.1:8080"));
        int executors = ExecutorWait.expected(sc.sc(), masterUi);
        ExecutorWait.await(sc.sc(), executors, Duration.ofSeconds(conf.get(ConfKeys.EXECUTOR_WAIT_SECONDS)), masterUi);
        int devices = ExecutorWait.cores(sc.sc());
        // The driver's own compute (the tail, the update) on the same threads as a tile task: the tail runs
        // while the tiles wait, on a device like theirs.
        ComputeThreads.set(conf.get(ConfKeys.THREADS));
        TrainSetup setup = TrainSetup.of(conf, sc.hadoopConfiguration(),
                List.of(sc.getConf().getAllWithPrefix("spark.hadoop.")), devices);
        Model model = setup.model();
        LOG.info("plan for {} at {}x{}, batch {} in {} pass(es), {} executor(s) with {} core(s):\n{}",
                setup.spec().cfgName(), setup.spec().width(), setup.spec().height(), setup.batch(),
                setup.subdivisions(), executors, devices,
                PlanTable.describe(setup.plan(), setup.spec().imagesPerPass(), setup.prediction()).stripTrailing());
        int tiles = setup.plan().group(0).tiles();
        DriverDeviceRelease.Outcome release = DriverDeviceRelease.release(sc.sc(), tiles);
        List<String> released = release.released();
        if (!released.isEmpty()) {
            LOG.info("{} tile(s) on {} executor(s): released executor(s) {} of the driver's device, which runs the driver "
                    + "and the tail", tiles, executors, String.join(", ", released));
        }
        Optional<Boolean> overlapSetting = conf.get(ConfKeys.OVERLAP_PASSES);
        boolean overlap = overlapSetting.orElseGet(() -> setup.mayOverlap() && release.driverDeviceFree());
        if (setup.subdivisions() > 1) {
            String choice = "passes overlapped (a pass's tiles run while the driver computes the tail of the pass before)";
            if (!overlap) {
                // Why auto did not overlap; a setting of false needs no reason.
                String why = !setup.mayOverlap() ? " (the profile's memory does not hold two passes' tile states)"
                        : " (the driver's device runs a tile)";
                choice = "one pass at a time" + (overlapSetting.isPresent() ? "" : why);
            }
            LOG.info("{}={}: {}", ConfKeys.OVERLAP_PASSES.name(), conf.text(ConfKeys.OVERLAP_PASSES), choice);
        }
        if (sc.sc().uiWebUrl().isDefined()) {
            LOG.info("Spark UI: {}", sc.sc().uiWebUrl().get());
        }

        Optional<CheckpointStore> store = checkpoints(conf, sc, model, resume);
        ModelOptimizer optimizer = new ModelOptimizer(model, setup.sgd());
        long start = 0;
        if (resume) {
            CheckpointStore s = store.orElseThrow();
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
        int validateEvery = conf.get(ConfKeys.VALIDATE_EVERY);
        Optional<Dataset> valid = validateEvery > 0 ? Optional.of(validationSet(conf, sc)) : Optional.empty();
        HadoopFiles files = new HadoopFiles(sc.hadoopConfiguration());
        Optional<DeviceSampler> devicesOf = conf.find(ConfKeys.TESTBED)
                .map(f -> new DeviceSampler(TestBedMeter.open(java.nio.file.Path.of(f))));
        List<String> emulated = devicesOf.map(DeviceSampler::devices).orElse(List.of());
        Optional<PredictionCheck> check = setup.prediction().map(p -> new PredictionCheck(p, emulated));
        Optional<MetricsCsv> metrics = Optional.empty();
        ExecutorMemoryPeaks executorPeaks = new ExecutorMemoryPeaks();
        sc.sc().addSparkListener(executorPeaks);
        HeapPeak driverHeap = new HeapPeak();
        if (store.isPresent()) {
            Path dir = store.get().dir();
            metrics = Optional.of(MetricsCsv.create(dir.getFileSystem(sc.hadoopConfiguration()), dir,
                    sc.sc().applicationId(), emulated));
            RunReport.writePlan(store.get().fileSystem(), dir, PlanTable.describe(setup.plan(), setup.spec().imagesPerPass(),
                    setup.prediction()));
        } else {
            LOG.warn("no {}: neither checkpoints nor the final weights will be saved", ConfKeys.CHECKPOINT_DIR.name());
        }
        Optional<StageTimesListener> stageTimes = metrics.map(StageTimesListener::new);
        stageTimes.ifPresent(sc.sc()::addSparkListener);

        Broadcast<RunSpec> spec = sc.broadcast(setup.spec());
        Broadcast<float[]> weights = sc.broadcast(model.layout().flattenLeading(setup.tiledParameters()));
        TrainAccumulators acc = TrainAccumulators.register(sc);
        PassJob job = new PassJob(sc, setup, acc, conf.get(ConfKeys.AGGREGATE_DEPTH));
        int iterations = setup.iterations(), every = conf.get(ConfKeys.CHECKPOINT_EVERY);
        IterationStep step = new IterationStep(optimizer, setup.batch(), start, iterations);
        ImagesSeen seen = new ImagesSeen(setup.seen(), setup.batch());
        if (seen.before() > 0) {
            LOG.info("continuing Darknet's schedule: {} images seen, batch number {}", seen.before(), seen.batchNumber(0));
        }
        long lastSaved = -1;
        OptionalDouble latestMap = OptionalDouble.empty();
        ExecutorWatch watch = ExecutorWatch.start(sc.sc(), Duration.ofSeconds(conf.get(ConfKeys.EXECUTOR_WAIT_SECONDS)),
                executors, released);
        try {
            for (long it = start; it < iterations; it++) {
                long n = it + 1, begin = System.nanoTime();
                devicesOf.ifPresent(DeviceSampler::start);
                driverHeap.reset();
                long haloBefore = acc.haloForward().value() + acc.haloBackward().value();
                sc.setJobGroup("iter-" + n, "iteration " + n + " of " + iterations, false);
                float[] gradient = null;
                double cost = 0, tailSeconds = 0;
                PrefixBroadcast prefix = new PrefixBroadcast(spec, weights);
                long first = it * setup.subdivisions(), saved = lastSaved;
                List<PassJob.Result> passes = overlap && setup.subdivisions() > 1
                        ? PassOverlap.run(setup.subdivisions(), "iteration " + n,
                                (k, turn) -> run(job, first + k, prefix, watch, store, saved, turn))
                        : IntStream.range(0, setup.subdivisions())
                                .mapToObj(k -> run(job, first + k, prefix, watch, store, saved, PassOverlap.ALONE))
                                .toList();
                for (PassJob.Result pass : passes) {
                    requireStatistics(model, setup.spec().mode(), pass);
                    IterationStep.updateRolling(pass.statistics());
                    gradient = IterationStep.add(gradient, pass.gradient());
                    cost += pass.cost();
                    tailSeconds += pass.tailSeconds();
                }
                IterationStep.requireFinite(n, cost, () -> kept(store, saved));
                step.update(seen.batchNumber(n), gradient);
                Broadcast<float[]> next = sc.broadcast(model.layout().flattenLeading(setup.tiledParameters()));
                release(weights);
                weights = next;
                double halo = (acc.haloForward().value() + acc.haloBackward().value() - haloBefore) / 1e6;
                double seconds = (System.nanoTime() - begin) / 1e9;
                OptionalDouble map = OptionalDouble.empty();
                if (valid.isPresent() && (n % validateEvery == 0 || n == iterations)) {
                    long validating = System.nanoTime();
                    MeanAveragePrecision m = Validation.map(model, files, valid.get());
                    map = OptionalDouble.of(m.value());
                    latestMap = map;
                    LOG.info("validation after iteration {} ({} s):\n{}", n,
                            String.format("%.1f", (System.nanoTime() - validating) / 1e9), m.table().stripTrailing());
                }
                LOG.info(step.line(n, cost, seconds, halo, latestMap));
                OptionalDouble mapNow = map;
                double tail = tailSeconds;
                Map<String, DriverIteration.DeviceSample> sampled = devicesOf.map(DeviceSampler::end).orElse(Map.of());
                DriverIteration.JvmPeaks jvms = new DriverIteration.JvmPeaks(driverHeap.megabytes(),
                        executorPeaks.largestHeapMb(), executorPeaks.largestRssMb());
                metrics.ifPresent(m -> m.record(new DriverIteration(n, seconds, step.loss(), step.averageLoss(),
                        step.learningRate(seen.batchNumber(n)), step.imagesPerSecond(), halo, tail, mapNow, sampled, jvms)));
                check.ifPresent(c -> c.add(seconds, sampled, jvms));
                boolean stopping = stop.requested() && n < iterations;
                if (store.isPresent() && (n % every == 0 || stopping)) {
                    save(store.get(), n, seen.after(n), lastSaved, model, optimizer);
                    lastSaved = n;
                }
                if (stopping) {
                    LOG.info("stopped after iteration {} of {}", n, iterations);
                    return new Outcome(n, step.loss(), store.map(s -> checkpointDir(s, n)), true);
                }
            }
        } finally {
            watch.close();
            sc.clearJobGroup();
            release(weights);
            release(spec);
            // The application may go on with another run: this run's listeners leave with it.
            sc.sc().removeSparkListener(executorPeaks);
            stageTimes.ifPresent(l -> l.detach(sc.sc(), LISTENER_DRAIN));
        }
        check.map(PredictionCheck::report).filter(r -> !r.isEmpty()).ifPresent(r -> LOG.info(r.stripTrailing()));
        Optional<Path> last = Optional.empty();
        if (store.isPresent()) {
            if (lastSaved != iterations) {
                save(store.get(), iterations, seen.after(iterations), lastSaved, model, optimizer);
            } else {
                // Saved inside the loop, before Spark's events of the last iteration were in: now they are.
                RunReport.write(store.get().fileSystem(), store.get().dir());
            }
            last = Optional.of(checkpointDir(store.get(), iterations));
            LOG.info("final weights: {}", TrainCheckpoint.writeFinal(store.get(), seen.after(iterations), model));
            if (valid.isPresent()) {
                // What the run learnt, where a person looks first: the mAP, the report, one picture.
                Path image = valid.get().images().get(0), picture = new Path(store.get().dir(), "detections.png");
                int boxes = DetectCommand.writePredictions(new Detector(model), files, image, valid.get().names(), picture);
                LOG.info(String.format("mAP@0.5 %.4f on the validation list; report %s; %d detection(s) on %s drawn "
                        + "into %s", latestMap.orElse(Double.NaN), new Path(store.get().dir(), RunReport.PAGE), boxes,
                        image.getName(), picture));
            }
        }
        return new Outcome(iterations, step.loss(), last, false);
    }

    /** The .data file's validation list, checked before training: validate.every needs one. */
    private static Dataset validationSet(TiletrainConf conf, JavaSparkContext sc) {
        String location = conf.get(ConfKeys.DATA);
        HadoopFiles files = new HadoopFiles(sc.hadoopConfiguration());
        if (!location.endsWith(".data")) {
            throw new ConfException(List.of(ConfKeys.VALIDATE_EVERY.name() + " needs a Darknet .data file with a valid= "
                    + "list, but " + ConfKeys.DATA.name() + "=" + location + " is a list of images"));
        }
        return Dataset.valid(files, DataFile.read(files, new Path(location)));
    }

    /** One pass; when the executor watch cancelled it, training stops saying why and what was kept. */
    private static PassJob.Result run(PassJob job, long pass, PrefixBroadcast prefix, ExecutorWatch watch,
            Optional<CheckpointStore> store, long lastSaved, PassOverlap.Turn turn) {
        try {
            return job.run(pass, prefix, turn);
        } catch (Exception e) { // A cancelled job's SparkException is checked, though Scala code throws it anyway.
            if (watch.stopped().isPresent()) {
                throw new TrainingStopped("stopped: " + watch.stopped().get() + "; " + kept(store, lastSaved), e);
            }
            throw e;
        }
    }

    /** What a stopped run leaves to resume from. */
    private static String kept(Optional<CheckpointStore> store, long lastSaved) {
        if (store.isEmpty()) {
            return "no " + ConfKeys.CHECKPOINT_DIR.name() + ": nothing was saved";
        }
        return lastSaved > 0 ? "the newest complete checkpoint is " + checkpointDir(store.get(), lastSaved)
                : "no checkpoint of this run was written (the newest in " + store.get().dir() + " is the earlier run's)";
    }

    /**
     * The run's checkpoint store, checked before any training: writable with room for a checkpoint, and, for a
     * fresh run, holding no earlier run's checkpoints (which --resume would continue).
     */
    private static Optional<CheckpointStore> checkpoints(TiletrainConf conf, JavaSparkContext sc, Model model,
            boolean resume) throws IOException {
        if (conf.find(ConfKeys.CHECKPOINT_DIR).isEmpty()) {
            if (resume) {
                throw new ConfException(List.of("--resume needs " + ConfKeys.CHECKPOINT_DIR.name()));
            }
            return Optional.empty();
        }
        String location = conf.get(ConfKeys.CHECKPOINT_DIR);
        CheckpointStore store = CheckpointStore.at(location, sc.hadoopConfiguration());
        try {
            // Weights and momentum, with room to spare for the rolling statistics and the manifest.
            store.requireWritable(2L * 4 * model.layout().size() + (1 << 20));
        } catch (IOException e) {
            throw new ConfException(List.of(ConfKeys.CHECKPOINT_DIR.name() + "=" + location + ": cannot write "
                    + "checkpoints there: " + e.getMessage()));
        }
        Optional<Checkpoint> earlier = store.newest();
        if (!resume && earlier.isPresent()) {
            throw new ConfException(List.of(ConfKeys.CHECKPOINT_DIR.name() + "=" + location + " holds the checkpoints "
                    + "of an earlier run (newest: iteration " + earlier.get().iteration() + "): continue it with "
                    + "--resume, or give another " + ConfKeys.CHECKPOINT_DIR.name()));
        }
        return Optional.of(store);
    }

    /**
     * Writes the checkpoint of {@code iteration}; a failure stops training, naming the newest complete
     * checkpoint ({@code lastSaved}, or none).
     */
    private static void save(CheckpointStore store, long iteration, long seen, long lastSaved, Model model,
            ModelOptimizer optimizer) {
        try {
            LOG.info("checkpoint {}", TrainCheckpoint.write(store, iteration, seen, model, optimizer.momentum()));
            LOG.info("report {}", RunReport.write(store.fileSystem(), store.dir()));
        } catch (IOException | RuntimeException e) {
            throw new TrainingStopped("could not write the checkpoint of iteration " + iteration + " to "
                    + store.dir() + " (" + e.getMessage() + "); " + kept(Optional.of(store), lastSaved), e);
        }
    }

    private static Path checkpointDir(CheckpointStore store, long iteration) {
        return new Path(store.dir(), String.format("iter-%08d", iteration));
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
