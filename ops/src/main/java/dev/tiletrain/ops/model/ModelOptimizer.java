package dev.tiletrain.ops.model;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.net.StepResult;
import dev.tiletrain.ops.optim.Sgd;
import java.util.Map;

/**
 * A model's optimizer state (Darknet's momentum-scaled {@code *_updates}, one flat vector in the model's
 * layout) and the update after one training pass: the batch norms' rolling statistics from the
 * statistics the pass used, then Darknet's SGD step. The Spark driver and the in-process trainer apply the
 * same update.
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

    /** Applies the update of batch number {@code batchNumber} (1 for the first) after pass {@code r}. */
    public void apply(StepResult r, long batchNumber) {
        for (Map.Entry<BatchNorm, BatchNorm.Stats> e : r.statistics().entrySet()) {
            e.getKey().updateRolling(e.getValue());
        }
        float[] weights = model.layout().flatten();
        sgd.step(model.layout(), weights, model.layout().flatten(r.gradients()::get), momentum, batchNumber);
        model.layout().unflatten(weights);
    }
}
