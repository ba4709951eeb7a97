package dev.tiletrain.ops.model;

import dev.tiletrain.ops.optim.Sgd;

/**
 * A model's optimizer: Darknet's SGD and its state (Darknet's momentum-scaled {@code *_updates}, one flat
 * vector in the model's layout, which a checkpoint saves). The Spark driver and the in-process trainer take
 * the same step from the same summed gradient.
 */
public final class ModelOptimizer {
    private final Model model;
    private final Sgd sgd;
    private final float[] momentum;

    public ModelOptimizer(Model model, Sgd sgd) {
        this(model, sgd, new float[model.layout().size()]);
    }

    /** Resumes with a saved momentum vector. */
    public ModelOptimizer(Model model, Sgd sgd, float[] momentum) {
        if (momentum.length != model.layout().size()) {
            throw new IllegalArgumentException("momentum has " + momentum.length + " floats, the model " + model.layout().size());
        }
        this.model = model;
        this.sgd = sgd;
        this.momentum = momentum;
    }

    public float[] momentum() {
        return momentum;
    }

    public Sgd sgd() {
        return sgd;
    }

    /**
     * The update of batch number {@code batchNumber} (1 for the first) from {@code gradients}, dLoss/dθ summed
     * over the batch in the model's layout: every parameter's array changes in place.
     */
    public void step(float[] gradients, long batchNumber) {
        sgd.step(model.layout(), gradients, momentum, batchNumber);
    }
}
