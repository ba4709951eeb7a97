package dev.tiletrain.job.cli;

import dev.tiletrain.data.cli.CheckData;
import dev.tiletrain.data.cli.GenerateData;
import dev.tiletrain.job.local.LocalTrainCommand;
import dev.tiletrain.tiles.cli.BackpropCommand;
import dev.tiletrain.tiles.cli.PlanCommand;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code submit/tiletrain <command>}: the command-line tools of every module, by name. */
public final class Tiletrain {
    /** A command: runs with its arguments and streams, returns the exit code (2 for bad arguments). */
    interface Command {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    private record Entry(String summary, Command command) {}

    /**
     * Lambdas, not method references: a method reference loads its class when the table is built, and some
     * commands' classes need Hadoop, which the training jar leaves to Spark; {@code backprop} runs from the jar
     * alone on a device ({@code submit/arm-check}).
     */
    private static final Map<String, Entry> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("backprop", new Entry("one forward/backward pass of a cfg on .npy input, gradients as .npy (untiled or tiled)",
                (a, o, e) -> BackpropCommand.run(a, o, e)));
        COMMANDS.put("plan", new Entry("the fused-tile plan of a cfg (regions, redundancy, halo bytes) and its predicted cost",
                (a, o, e) -> PlanCommand.run(a, o, e)));
        COMMANDS.put("train", new Entry("train a Darknet detector in this process, untiled or as fused tiles (no Spark)",
                (a, o, e) -> LocalTrainCommand.run(a, o, e)));
        COMMANDS.put("calibrate-bn", new Entry("set batch norms' rolling statistics from training images (for frozen batch norm)",
                (a, o, e) -> dev.tiletrain.job.local.CalibrateBnCommand.run(a, o, e)));
        COMMANDS.put("map", new Entry("mean average precision of a detector on a .data file's validation list (PASCAL VOC)",
                (a, o, e) -> dev.tiletrain.job.detect.MapCommand.run(a, o, e)));
        COMMANDS.put("detect", new Entry("detections on images, printed and drawn into IMAGE.predictions.png",
                (a, o, e) -> dev.tiletrain.job.detect.DetectCommand.run(a, o, e)));
        COMMANDS.put("report", new Entry("rebuild a run's report.html and charts from the metrics CSVs in its directory",
                (a, o, e) -> dev.tiletrain.job.report.ReportCommand.run(a, o, e)));
        COMMANDS.put("scaling-table", new Entry("the scaling table and charts of the runs submit/scaling made",
                (a, o, e) -> dev.tiletrain.job.scaling.ScalingCommand.run(a, o, e)));
        COMMANDS.put("generate-data", new Entry("write the synthetic shapes detection set (Darknet layout)", (a, o, e) -> GenerateData.run(a, o, e)));
        COMMANDS.put("bench", new Entry("time untiled training steps: median ms, GFLOP/s, live heap", (a, o, e) -> dev.tiletrain.ops.bench.TrainStepBench.run(a, o, e)));
        COMMANDS.put("check-data", new Entry("read every image and label of a .data set as training will, and report", (a, o, e) -> CheckData.run(a, o, e)));
        COMMANDS.put("profile", new Entry("measure this machine's rates into a device profile for the planner", (a, o, e) -> dev.tiletrain.tiles.cli.ProfileCommand.run(a, o, e)));
    }

    private Tiletrain() {
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.println("Usage: tiletrain <command> [options]   (tiletrain <command> --help for its options)");
            out.println();
            COMMANDS.forEach((name, e) -> out.printf("  %-14s %s%n", name, e.summary()));
            return args.length == 0 ? 2 : 0;
        }
        Entry e = COMMANDS.get(args[0]);
        if (e == null) {
            err.println("tiletrain: unknown command '" + args[0] + "'; commands: " + String.join(", ", COMMANDS.keySet()));
            return 2;
        }
        return e.command().run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
}
