package dev.tiletrain.job.train;

import dev.tiletrain.job.metrics.Eta;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.ModelOptimizer;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * How both trainers end a pass and an iteration: the rolling statistics after every pass (as Darknet updates
 * them at every forward), Darknet's update from the iteration's summed gradient, and the iteration's log
 * line — iteration, loss (Darknet's cost per image), its running average, images/s, halo MB, ETA, and the
 * latest mAP once validation ran.
 */
public final class IterationStep {
    private final ModelOptimizer optimizer;
    private final int batch;
    private final long first;
    private final long iterations;
    private double average = -1;
    private double elapsed;
    private double loss = Double.NaN;
    private double seconds;

    /** Iterations {@code first + 1..iterations} of {@code batch} images each. */
    public IterationStep(ModelOptimizer optimizer, int batch, long first, long iterations) {
        this.optimizer = optimizer;
        this.batch = batch;
        this.first = first;
        this.iterations = iterations;
    }

    /** After a pass: each batch norm's rolling statistics move toward the statistics the pass used. */
    public static void updateRolling(Map<BatchNorm, BatchNorm.Stats> statistics) {
        statistics.forEach(BatchNorm::updateRolling);
    }

    /**
     * Stops before an update from a loss that is not a number, which would train NaN into every weight (Darknet
     * goes on and prints nan); {@code kept} says what the run keeps, asked only then.
     */
    public static void requireFinite(long n, double cost, Supplier<String> kept) {
        if (!Double.isFinite(cost)) {
            throw new TrainingStopped(String.format("stopped: the loss of iteration %d is %s, so it updated nothing: "
                    + "training diverged (a lower learning rate?) or a batch norm normalises without statistics "
                    + "(frozen batch norm needs weights with trained rolling variances, which Darknet starts at 0: tiletrain "
                    + "calibrate-bn sets them from training images); %s",
                    n, cost, kept.get()), null);
        }
    }

    /**
     * The update of Darknet's batch number {@code batchNumber} (1 for a run's first from scratch) from the
     * gradient summed over the iteration's passes.
     */
    public void update(long batchNumber, float[] gradient) {
        optimizer.step(gradient, batchNumber);
    }

    /**
     * The line of iteration {@code n}, which took {@code seconds} and cost {@code cost} over its batch, with the
     * latest mAP when validation has run.
     */
    public String line(long n, double cost, double seconds, double haloMegabytes, OptionalDouble latestMap) {
        this.seconds = seconds;
        elapsed += seconds;
        loss = cost / batch;
        average = average < 0 ? loss : average * .9 + loss * .1;
        return String.format("iter %d/%d loss %.3f avg %.3f images/s %.2f halo %.3f MB ETA %s%s", n, iterations, loss,
                average, batch / seconds, haloMegabytes, Eta.format(elapsed / (n - first) * (iterations - n)),
                latestMap.isPresent() ? String.format(" mAP %.4f", latestMap.getAsDouble()) : "");
    }

    /** The last iteration's loss per image. */
    public double loss() {
        return loss;
    }

    /** The running average of the loss, as the line shows it. */
    public double averageLoss() {
        return average;
    }

    /** The last iteration's images per second. */
    public double imagesPerSecond() {
        return batch / seconds;
    }

    /** The learning rate of Darknet's batch number {@code batchNumber}. */
    public double learningRate(long batchNumber) {
        return optimizer.sgd().learningRate().at(batchNumber);
    }

    /** Adds {@code pass} into {@code sum} (null before the first pass); passes add in order. */
    public static float[] add(float[] sum, float[] pass) {
        if (sum == null) {
            return pass;
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] += pass[i];
        }
        return sum;
    }
}
