package dev.tiletrain.ops.optim;

import dev.tiletrain.ops.parallel.ComputeThreads;

/**
 * Darknet's SGD with momentum and weight decay, exactly as {@code update_convolutional_layer} and
 * {@code update_connected_layer} compute it, on flat vectors laid out by a {@link ParamLayout}.
 *
 * <p>Darknet keeps one array per parameter, {@code *_updates}: the backward adds −dLoss/dθ into it, the
 * update does {@code u += −decay·batch·w} (weights only), {@code w += (rate/batch)·u}, {@code u *= momentum},
 * and the scaled {@code u} is what the next backward adds to. The momentum vector here is that scaled
 * {@code u}; with the true gradient g summed over the batch, the step is {@code u = m − g}, then the same
 * three operations in the same float arithmetic, so the result is Darknet's to the bit. {@code batch} is
 * Darknet's {@code net.batch * net.subdivisions}.
 *
 * <p>A step depends only on its arguments; nothing is kept between calls, so every device that applies the
 * same step to the same vectors gets the same bits.
 */
public final class Sgd {
    private final LearningRate learningRate;
    private final float momentum;
    private final float decay;
    private final int batch;

    public Sgd(LearningRate learningRate, float momentum, float decay, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1: " + batch);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.decay = decay;
        this.batch = batch;
    }

    public LearningRate learningRate() {
        return learningRate;
    }

    /**
     * Updates the parameters of {@code layout} (in place: their own arrays) and {@code momentum} for batch
     * number {@code batchNumber} (Darknet's {@code get_current_batch} at the update: 1 for the first).
     * {@code gradients} is dLoss/dθ summed over the batch, in the layout; its entries for rolling statistics are
     * ignored.
     */
    public void step(ParamLayout layout, float[] gradients, float[] momentum, long batchNumber) {
        layout.checkSize(gradients, "gradients");
        layout.checkSize(momentum, "momentum");
        float rate = learningRate.at(batchNumber);
        float decayStep = -decay * batch;
        for (int p = 0; p < layout.params().size(); p++) {
            ParamLayout.Range r = layout.ranges().get(p);
            if (!r.role().trainable) {
                continue;
            }
            float[] weights = layout.params().get(p).value;
            float alpha = rate * r.rateScale() / batch;
            boolean decayed = r.role().decayed;
            int offset = r.offset();
            ComputeThreads.split(r.length(), ComputeThreads.grain(1), (from, to) -> {
                for (int k = from, i = offset + from; k < to; k++, i++) {
                    float u = momentum[i] - gradients[i];
                    if (decayed) {
                        u += decayStep * weights[k];
                    }
                    weights[k] += alpha * u;
                    momentum[i] = this.momentum * u;
                }
            });
        }
    }
}
