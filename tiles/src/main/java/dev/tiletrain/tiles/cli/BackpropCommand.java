package dev.tiletrain.tiles.cli;

import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.net.Backprop;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.net.BackwardStart;
import dev.tiletrain.ops.net.StepResult;
import dev.tiletrain.ops.npy.Npy;
import dev.tiletrain.ops.npy.NpyArray;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.SectionWeights;
import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import dev.tiletrain.tiles.InProcessRunner;
import dev.tiletrain.tiles.TrainingPlan;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code tiletrain backprop}: one training-mode forward pass and the back-propagation of a given output
 * gradient, with every gradient written as {@code .npy}, so that anyone can compare with another framework
 * — untiled, or through a tiled plan with {@code --tiles}.
 */
public final class BackpropCommand {
    private static final String USAGE = """
            Usage: tiletrain backprop --cfg NET.cfg --weights W.weights --input X.npy --output-grad G.npy --out DIR
                                      [--batchnorm sync|frozen] [--tiles NxM] [--groups CUTS] [--tiled-layers K]

            Runs one training-mode forward pass of the network on X (float32 N×C×H×W; the network takes its
            input size from X), back-propagates G (dLoss/d(network output), float32, the output's N×C×H×W) and
            writes into DIR: output.npy, input_grad.npy and, for every layer i with parameters,
            layer{i}_weights_grad.npy (filters×channels×size×size), layer{i}_biases_grad.npy and, when
            batch-normalized, layer{i}_scales_grad.npy. Gradients are dLoss/dθ. Layers count cfg sections
            after [net] from 0.

              --batchnorm MODE   sync: batch statistics (default); frozen: the weights' rolling statistics
              --tiles NxM        run through a fused-tile plan on an N×M grid (in one process)
              --groups CUTS      group cut points over the tiled layers, e.g. 0-3,4-9,10-15
              --tiled-layers K   tile layers 0..K-1 (default: the end of the last group; without --groups,
                                 the longest tileable prefix, as one group)
            """;

    private BackpropCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Arguments a;
        try {
            a = Arguments.parse(args, Set.of("cfg", "weights", "input", "output-grad", "out", "batchnorm", "tiles",
                    "groups", "tiled-layers"));
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            return backprop(a, out);
        } catch (UsageException | CfgException | IllegalArgumentException e) {
            err.println("backprop: " + e.getMessage());
            err.println("Try 'tiletrain backprop --help'.");
            return 2;
        } catch (IOException e) {
            err.println("backprop: " + e.getMessage());
            return 1;
        }
    }

    private static int backprop(Arguments a, PrintStream out) throws UsageException, IOException {
        BatchNorm.Mode mode = switch (a.get("batchnorm", "sync")) {
            case "sync" -> BatchNorm.Mode.SYNC;
            case "frozen" -> BatchNorm.Mode.FROZEN;
            default -> throw new UsageException("--batchnorm must be sync or frozen, got '" + a.get("batchnorm", "") + "'");
        };
        Path cfgPath = Path.of(a.required("cfg")), weights = Path.of(a.required("weights"));
        NpyArray x = read(a.required("input"), "--input"), g = read(a.required("output-grad"), "--output-grad");
        Path dir = Path.of(a.required("out"));
        if (x.shape().length != 4) {
            throw new UsageException("--input must be N×C×H×W, not " + java.util.Arrays.toString(x.shape()));
        }
        int n = x.shape()[0];
        Cfg cfg = CfgParser.parse(cfgPath);
        Model model = ModelBuilder.build(cfg, mode, 0, new Shape(x.shape()[1], x.shape()[2], x.shape()[3]));
        DarknetWeights.read(weights, model.sections());
        Shape outShape = model.network().output();
        int[] expected = {n, outShape.c(), outShape.h(), outShape.w()};
        if (!java.util.Arrays.equals(g.shape(), expected)) {
            throw new UsageException("--output-grad is " + java.util.Arrays.toString(g.shape()) + " but the network's output is "
                    + java.util.Arrays.toString(expected));
        }
        Tensor input = new Tensor(n, x.shape()[1], model.network().input().full(), x.data());
        BackwardStart seed = new BackwardStart.Gradient(new Tensor(n, outShape.c(), outShape.full(), g.data()));
        StepResult r;
        String how;
        if (a.has("tiles") || a.has("groups") || a.has("tiled-layers")) {
            TrainingPlan plan = plan(a, model);
            how = "tiled " + plan.groups().get(0).grid() + ", groups " + describe(plan);
            try (InProcessRunner runner = new InProcessRunner(plan, Runtime.getRuntime().availableProcessors())) {
                r = runner.run(input, seed, true, 0, 0);
            }
        } else {
            how = "untiled";
            r = Backprop.run(model.network(), input, seed, new WholeMapPass(true, 0, 0));
        }
        Files.createDirectories(dir);
        write(dir.resolve("output.npy"), r.output());
        write(dir.resolve("input_grad.npy"), r.inputGradient());
        int files = 2;
        for (int i = 0; i < model.sections().size(); i++) {
            SectionWeights s = model.sections().get(i);
            Block b = model.network().block(i);
            if (s.weights() != null) {
                Npy.write(dir.resolve("layer" + i + "_weights_grad.npy"), new NpyArray(weightShape(b, s.weights()), grad(r, s.weights())));
                files++;
            }
            if (s.biases() != null) {
                Npy.write(dir.resolve("layer" + i + "_biases_grad.npy"), vector(grad(r, s.biases())));
                files++;
            }
            if (s.scales() != null) {
                Npy.write(dir.resolve("layer" + i + "_scales_grad.npy"), vector(grad(r, s.scales())));
                files++;
            }
        }
        out.printf("backprop %s (%s, batchnorm %s): %d files in %s%n", cfgPath, how, mode.name().toLowerCase(), files, dir);
        return 0;
    }

    private static TrainingPlan plan(Arguments a, Model model) throws UsageException {
        Grid grid = Grid.parse(a.get("tiles", "1x1"));
        Grouping grouping;
        if (a.has("groups")) {
            grouping = Grouping.parse(a.get("groups", ""));
            if (a.has("tiled-layers") && a.integer("tiled-layers", 0, 1, Integer.MAX_VALUE) != grouping.lastBlock() + 1) {
                throw new UsageException("--tiled-layers " + a.get("tiled-layers", "") + " disagrees with --groups "
                        + grouping + ", which tile layers 0-" + grouping.lastBlock());
            }
        } else {
            int last = a.has("tiled-layers")
                    ? a.integer("tiled-layers", 0, 1, model.network().blocks().size()) - 1
                    : TrainingPlan.longestTileablePrefix(model.network());
            grouping = Grouping.single(last);
        }
        return TrainingPlan.of(model.network(), grouping, grid);
    }

    private static String describe(TrainingPlan plan) {
        StringBuilder s = new StringBuilder();
        plan.groups().forEach(g -> s.append(s.length() == 0 ? "" : ",").append(g.firstBlock()).append('-').append(g.lastBlock()));
        return s.toString();
    }

    /** Darknet's layout of a section's weights: filters×channels×size×size, or outputs×inputs. */
    private static int[] weightShape(Block b, Param w) {
        int filters = b.output().c(), channels = b.layers().get(0).inputShape().c();
        if (b.type().equals("connected")) {
            return new int[] {filters, w.size() / filters};
        }
        int size = (int) Math.round(Math.sqrt(w.size() / (double) (filters * channels)));
        return new int[] {filters, channels, size, size};
    }

    private static float[] grad(StepResult r, Param p) {
        float[] g = r.gradients().get(p);
        return g != null ? g : new float[p.size()];
    }

    private static NpyArray vector(float[] v) {
        return new NpyArray(new int[] {v.length}, v);
    }

    private static void write(Path file, Tensor t) throws IOException {
        Npy.write(file, new NpyArray(new int[] {t.n, t.c, t.h(), t.w()}, t.data));
    }

    private static NpyArray read(String path, String option) throws UsageException, IOException {
        Path p = Path.of(path);
        if (!Files.isReadable(p)) {
            throw new UsageException(option + " " + path + " is not a readable file");
        }
        return Npy.read(p);
    }
}
