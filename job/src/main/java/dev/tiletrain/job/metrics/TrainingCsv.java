package dev.tiletrain.job.metrics;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The in-process trainer's {@code <run>-iterations.csv}: one row per iteration, flushed as it is written (so
 * {@code tail -f} follows a run). The column names are the ones the run report reads, from this file and from
 * the Spark job's: {@value #LOSS}, {@value #AVERAGE_LOSS}, {@value #LEARNING_RATE}, {@value #IMAGES_PER_SECOND},
 * {@value #HALO_MB}, {@value #MAP} (empty when not computed), {@value #WALL_MS}, and per device {@code d}
 * {@code d}{@value #PEAK_MB} and {@code d}{@value #LINK_BYTES}; the in-process trainer's one device is
 * {@value #LOCAL_DEVICE}.
 */
public final class TrainingCsv implements Closeable {
    public static final String ITERATION = "iteration";
    public static final String LOSS = "loss";
    public static final String AVERAGE_LOSS = "avg_loss";
    public static final String LEARNING_RATE = "learning_rate";
    public static final String IMAGES_PER_SECOND = "images_per_s";
    public static final String HALO_MB = "halo_mb";
    public static final String MAP = "map";
    public static final String WALL_MS = "wall_ms";
    /** Suffix of a device's peak memory in MB during the iteration. */
    public static final String PEAK_MB = "_peak_mb";
    /** Suffix of the bytes a device's network link carried during the iteration. */
    public static final String LINK_BYTES = "_link_bytes";
    public static final String LOCAL_DEVICE = "local";
    /** The suffix of every run's iterations file. */
    public static final String ITERATIONS_SUFFIX = "-iterations.csv";

    static final List<String> COLUMNS = List.of(ITERATION, LOSS, AVERAGE_LOSS, LEARNING_RATE, IMAGES_PER_SECOND,
            HALO_MB, MAP, WALL_MS, LOCAL_DEVICE + PEAK_MB);

    /**
     * One iteration of the in-process trainer.
     *
     * @param peakHeapMb the JVM heap's peak during the iteration (the sum of its pools' peaks)
     */
    public record Row(long iteration, double loss, double averageLoss, double learningRate, double imagesPerSecond,
            double haloMb, OptionalDouble map, long wallMs, double peakHeapMb) {}

    private final FSDataOutputStream out;

    private TrainingCsv(FSDataOutputStream out) {
        this.out = out;
    }

    /** Creates {@code dir/<run>-iterations.csv} with its header. */
    public static TrainingCsv create(FileSystem fs, Path dir, String run) throws IOException {
        TrainingCsv csv = new TrainingCsv(FlushedFile.create(fs, new Path(dir, run + ITERATIONS_SUFFIX)));
        csv.line(String.join(",", COLUMNS));
        return csv;
    }

    public void write(Row r) throws IOException {
        line(String.format(Locale.ROOT, "%d,%.6g,%.6g,%.6g,%.4g,%.6g,%s,%d,%.1f", r.iteration(), r.loss(),
                r.averageLoss(), r.learningRate(), r.imagesPerSecond(), r.haloMb(),
                r.map().isPresent() ? String.format(Locale.ROOT, "%.6f", r.map().getAsDouble()) : "", r.wallMs(),
                r.peakHeapMb()));
    }

    private void line(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.hflush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
