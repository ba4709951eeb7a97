package dev.tiletrain.ops.bench;

import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Convolution;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.layers.Pass;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.model.ModelOptimizer;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.net.Trace;
import dev.tiletrain.ops.optim.Sgd;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One untiled training step of a cfg's network as the benchmark times it, the same step as the PyTorch
 * reference {@code submit/pytorch-train-step} builds from the same cfg: batch-norm in sync mode, forward, the loss
 * {@code ½·Σ out² / batch} (so dLoss/d out = out / batch) at the last layer before a trailing loss layer
 * ({@code [region]}, {@code [cost]}), which is left out, backward without the input gradient, and the
 * model's SGD update (momentum, decay, rolling statistics) from the cfg's {@code [net]}.
 */
final class TrainStep {
    private final Model model;
    private final int last;
    private final Tensor input;
    private final ModelOptimizer optimizer;
    private long iteration;

    TrainStep(Path cfg, int size, int batch) throws IOException {
        model = ModelBuilder.build(CfgParser.parse(cfg), BatchNorm.Mode.SYNC, 1, new Shape(3, size, size));
        Network net = model.network();
        int blocks = net.blocks().size();
        last = net.block(blocks - 1).loss() != null ? blocks - 2 : blocks - 1;
        if (last < 0) {
            throw new IllegalArgumentException(cfg + " has no layer before its loss layer");
        }
        input = Tensor.zeros(batch, net.input());
        Random random = new Random(1);
        for (int i = 0; i < input.data.length; i++) {
            input.data[i] = (float) random.nextGaussian();
        }
        optimizer = new ModelOptimizer(model, new Sgd(model.net().learningRate(), model.net().momentum(),
                model.net().decay(), batch));
    }

    /** Runs one step. */
    void run() {
        WholeMapPass pass = new WholeMapPass(true, iteration);
        run(pass, pass);
    }

    /** Runs one step through {@code probe}, which wraps {@code pass}. */
    void run(Pass probe, WholeMapPass pass) {
        Network net = model.network();
        Trace trace = net.forward(0, last, input, probe);
        Tensor out = trace.output(last);
        Tensor dOut = Tensor.zeros(out.n, out.c, out.rect);
        float scale = 1f / out.n;
        for (int i = 0; i < dOut.data.length; i++) {
            dOut.data[i] = out.data[i] * scale;
        }
        net.backwardParams(trace, dOut, false, probe);
        pass.statistics().forEach(BatchNorm::updateRolling);
        optimizer.step(model.layout().flatten(pass::gradOrNull), ++iteration);
    }

    /**
     * Each layer's forward and backward timed alone, in a pass of its own, on the step's own tensors (a training
     * forward's trace; the backward's gradient is the layer's output itself, whose values do not change the work),
     * best of
     * {@code repeats} per layer, summed per kind of layer ({@link Layer#describe()}'s first word: conv,
     * batchnorm, activation, maxpool, ...) in the order kinds first appear: {kind → [forward ms, backward ms]}.
     * As in the step, a convolution reading the network's input computes no input gradient.
     */
    Map<String, double[]> layerTimes(int repeats) {
        Network net = model.network();
        // Per layer (no layer class defines equals: keyed by identity), in the network's order.
        Map<Layer, double[]> best = new LinkedHashMap<>();
        for (int r = 0; r < repeats; r++) {
            Trace trace = net.forward(0, last, input, new WholeMapPass(true, iteration));
            for (int b = 0; b <= last; b++) {
                Block block = net.block(b);
                List<Tensor> t = trace.tensors(b);
                for (int i = 0; i < block.layers().size(); i++) {
                    Layer l = block.layers().get(i);
                    Tensor x = t.get(i), y = t.get(i + 1);
                    // A pass of its own, so that a batch norm computes its statistics here, as in the step.
                    WholeMapPass pass = new WholeMapPass(true, iteration);
                    long start = System.nanoTime();
                    l.forward(x, y.rect, pass);
                    long forward = System.nanoTime();
                    if (i == 0 && block.inputs()[0] == -1) {
                        l.backwardParams(x, y, y, pass);
                    } else {
                        l.backward(x, y, y, pass);
                    }
                    best.merge(l, new double[] {(forward - start) / 1e6, (System.nanoTime() - forward) / 1e6},
                            (a, c) -> new double[] {Math.min(a[0], c[0]), Math.min(a[1], c[1])});
                }
            }
        }
        Map<String, double[]> kinds = new LinkedHashMap<>();
        best.forEach((l, ms) -> {
            double[] sum = kinds.computeIfAbsent(l.describe().split(" ")[0], k -> new double[2]);
            sum[0] += ms[0];
            sum[1] += ms[1];
        });
        return kinds;
    }

    /**
     * Floating-point operations of the step's convolutions (2 per multiply-add): forward, weight gradient
     * and input gradient, except the input gradient of a convolution that reads the network's input.
     * Batch norm, activations and pooling are not counted; {@code submit/pytorch-train-step} counts alike.
     */
    double convFlops() {
        double total = 0;
        for (int b = 0; b <= last; b++) {
            Block block = model.network().block(b);
            for (int i = 0; i < block.layers().size(); i++) {
                Layer l = block.layers().get(i);
                if (l instanceof Convolution) {
                    double product = 2.0 * input.n * l.outputShape().h() * l.outputShape().w() * l.params().get(0).size();
                    boolean readsInput = i == 0 && block.inputs()[0] == -1;
                    total += product * (readsInput ? 2 : 3);
                }
            }
        }
        return total;
    }
}
