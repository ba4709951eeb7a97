package dev.tiletrain.job;

import dev.tiletrain.data.DataException;
import dev.tiletrain.job.cluster.ClusterException;
import dev.tiletrain.job.cluster.ClusterSecurity;
import dev.tiletrain.job.cluster.MasterHandshake;
import dev.tiletrain.job.conf.ConfException;
import dev.tiletrain.job.conf.TiletrainConf;
import dev.tiletrain.job.report.RunReport;
import dev.tiletrain.job.train.StopRequest;
import dev.tiletrain.job.train.Trainer;
import dev.tiletrain.job.train.TrainingStopped;
import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.gemm.OpenBlasKernels;
import dev.tiletrain.ops.weights.WeightsFormatException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The training application: {@code spark-submit [spark options] --class dev.tiletrain.job.TrainJob
 * tiletrain-job.jar [--resume] [--conf spark.tiletrain.KEY=VALUE ...]} with the run described by
 * {@code spark.tiletrain.*} settings, given to spark-submit before the jar or to the application after it.
 * Exit codes: 0 trained, 1 failed, 2 bad settings, arguments or input files (a cfg, weights or data set that
 * cannot be used: reported before any executor work, except a bad image or label, reported when an executor
 * meets it) or a standalone master that refuses the driver's secret, 128 + the signal's number when stopped
 * by SIGINT or SIGTERM (after a checkpoint). A driver of a secured cluster may take its secret from
 * {@code _SPARK_AUTH_SECRET} ({@link ClusterSecurity}).
 */
public final class TrainJob {
    static final String USAGE = """
            usage: spark-submit [--master URL] [--conf spark.tiletrain.KEY=VALUE ...] --class dev.tiletrain.job.TrainJob \\
                     tiletrain-job.jar [--resume] [--conf spark.tiletrain.KEY=VALUE ...]
              --resume   continue from the newest complete checkpoint in spark.tiletrain.checkpoint.dir
              --conf     a spark.tiletrain.* setting; after the jar only these (Spark's own options go before it)
            spark.tiletrain.model and spark.tiletrain.data are required; every key is listed, with its default, in
            README.md.""";

    /** Exceptions that mean a setting or an input file cannot be used, each message one line naming it. */
    private static final List<Class<? extends Exception>> BAD_INPUT = List.of(ConfException.class, CfgException.class,
            DataException.class, WeightsFormatException.class);

    private TrainJob() {}

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        boolean resume = false;
        SparkConf sparkConf = configure(new SparkConf());
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--resume")) {
                resume = true;
            } else if (a.equals("--help") || a.equals("-h")) {
                System.out.println(USAGE);
                return;
            } else if (a.equals("--conf") && i + 1 < args.length && args[i + 1].startsWith(TiletrainConf.PREFIX)
                    && args[i + 1].contains("=")) {
                String setting = args[++i];
                sparkConf.set(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
            } else {
                System.err.println("TrainJob: " + (a.equals("--conf") ? "after the jar --conf takes a "
                        + TiletrainConf.PREFIX + "KEY=VALUE setting (Spark's own options go before the jar)"
                        : "unknown argument '" + a + "'") + "\n" + USAGE);
                System.exit(2);
            }
        }
        ClusterSecurity.secretFromEnvironment(sparkConf, System.getenv());
        TiletrainConf conf;
        try {
            conf = TiletrainConf.from(sparkConf);
            MasterHandshake.check(sparkConf);
        } catch (ConfException | ClusterException e) {
            System.err.println("TrainJob: " + e.getMessage());
            System.exit(2);
            return;
        }
        int code = 0;
        StopRequest stop = StopRequest.onSignals();
        // While Spark stops, a callback can still reach one of its RPC thread pools after the pool shut down;
        // the JVM's default handler would print that thread's RejectedExecutionException as a stack trace.
        AtomicBoolean stopping = new AtomicBoolean();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (!(stopping.get() && e instanceof RejectedExecutionException)) {
                System.err.println("Exception in thread \"" + thread.getName() + "\" " + e);
                e.printStackTrace();
            }
        });
        Optional<Path> finished = Optional.empty();
        Configuration hadoop = null;
        try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
            Trainer.Outcome outcome = Trainer.run(sc, conf, resume, stop);
            finished = outcome.checkpoint();
            hadoop = sc.hadoopConfiguration();
            if (outcome.stopped()) {
                System.out.println("stopped after iteration " + outcome.iterations()
                        + outcome.checkpoint().map(c -> ", checkpoint " + c).orElse(", no checkpoint.dir: nothing saved")
                        + "; resume with: submit/train --resume " + conf.asConfOptions());
                code = stop.exitCode();
            }
            stopping.set(true);
        } catch (TrainingStopped e) {
            System.err.println("TrainJob: " + e.getMessage());
            code = 1;
        } catch (Exception e) {
            Optional<String> input = badInput(e);
            if (input.isPresent()) {
                // Bad settings or input files: the message names the key or the file (and line).
                System.err.println("TrainJob: " + input.get());
                code = 2;
            } else {
                System.err.println("TrainJob: training failed: " + e);
                e.printStackTrace();
                code = 1;
            }
        }
        if (finished.isPresent()) {
            // The stage metrics of the last iteration reach its CSV row only when the application ends, after the
            // report of the last checkpoint was written: write it again, with that row.
            Path run = finished.get().getParent();
            try {
                RunReport.write(run.getFileSystem(hadoop), run);
            } catch (IOException e) {
                System.err.println("TrainJob: could not rewrite " + new Path(run, RunReport.PAGE) + ": " + e.getMessage());
            }
        }
        System.exit(code);
    }

    /**
     * The message of the bad setting or input file that {@code e} is or wraps, if it is one. An executor's
     * exception (an image or label it cannot use) reaches the driver only as text in the message of the
     * SparkException that aborts the job: "...: dev.tiletrain.data.DataException: FILE: REASON" and its stack.
     */
    static Optional<String> badInput(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (Class<?> type : BAD_INPUT) {
                if (type.isInstance(t)) {
                    return Optional.of(t.getMessage());
                }
                String text = String.valueOf(t.getMessage()), remote = type.getName() + ": ";
                int at = text.indexOf(remote);
                if (t instanceof SparkException && at >= 0) {
                    return Optional.of(text.substring(at + remote.length()).lines().findFirst().orElse(""));
                }
            }
        }
        return Optional.empty();
    }

    /** Kryo with registration required and tiletrain's registrator (kept beside any other registrator). */
    public static SparkConf configure(SparkConf conf) {
        conf.setIfMissing("spark.app.name", "tiletrain");
        // One level of parallelism: tasks (and spark.tiletrain.threads inside them), not OpenBLAS's own threads.
        conf.setIfMissing("spark.executorEnv.OPENBLAS_NUM_THREADS", "1");
        // The driver's choice of OpenBLAS's kernels on the executors too: the tail and the tiles then compute with the
        // same kernels, and the algorithm choice that depends on them (WinogradUse) is the same everywhere.
        String core = OpenBlasKernels.coreType();
        if (core != null) {
            conf.setIfMissing("spark.executorEnv.OPENBLAS_CORETYPE", core);
        }
        // A tile's task must run where its cached state is. A stage that meets a tile's state with a shuffle
        // (halo strips, synced sums) is a zip whose preferred location Spark takes from the shuffle when it has
        // one: the executors that wrote most of the tile's input, for a halo its neighbours'. The task then ran
        // there and read the tile's whole state over the link (314-652 MB per iteration on the test bed, for
        // 15 MB of halos). Without reduce locality, the zip follows its first parent, the cached state.
        conf.setIfMissing("spark.shuffle.reduceLocality.enabled", "false");
        // What a device holds where no test bed measures it: the executors' resident memory, with their heap.
        conf.setIfMissing("spark.executor.processTreeMetrics.enabled", "true");
        for (Map.Entry<String, String> e : KryoClasses.sparkConf().entrySet()) {
            if (e.getKey().equals("spark.kryo.registrator")) {
                String others = conf.get(e.getKey(), "");
                if (!others.contains(e.getValue())) {
                    conf.set(e.getKey(), others.isEmpty() ? e.getValue() : others + "," + e.getValue());
                }
            } else {
                conf.set(e.getKey(), e.getValue());
            }
        }
        return conf;
    }
}
