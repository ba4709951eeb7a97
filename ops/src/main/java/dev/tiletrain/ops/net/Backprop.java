package dev.tiletrain.ops.net;

import dev.tiletrain.ops.layers.LossLayer;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.Pass;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** The untiled training pass: the reference that every tiled plan must equal. */
public final class Backprop {
    private Backprop() {
    }

    /** The cost of a backward and the gradient at the input of the traced range. */
    public record Result(float cost, Tensor inputGradient) {}

    public static StepResult run(Network net, Tensor input, BackwardStart seed, WholeMapPass pass) {
        int last = net.blocks().size() - 1;
        Trace trace = net.forward(0, last, input, pass);
        Result s = backward(net, trace, seed, pass);
        return new StepResult(s.cost(), trace.output(last), s.inputGradient(), gradients(net.params(), pass),
                pass.statistics());
    }

    /** Seeds back-propagation at the end of {@code trace} (a loss, or a given output gradient) and runs it. */
    public static Result backward(Network net, Trace trace, BackwardStart seed, Pass pass) {
        if (seed instanceof BackwardStart.Loss l) {
            LossLayer.Loss loss = net.loss(trace, l.truth(), pass);
            return new Result(loss.cost(), net.backwardFromLoss(trace, loss.inputGradient(), pass));
        }
        return new Result(0, net.backward(trace, ((BackwardStart.Gradient) seed).gradient(), pass));
    }

    /** The gradients {@code pass} holds for {@code params} (those no backward reached are absent). */
    public static Map<Param, float[]> gradients(List<Param> params, WholeMapPass pass) {
        Map<Param, float[]> grads = new IdentityHashMap<>();
        for (Param p : params) {
            float[] g = pass.gradOrNull(p);
            if (g != null) {
                grads.put(p, g);
            }
        }
        return grads;
    }
}
