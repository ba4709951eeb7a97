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

    private static final Map<String, Entry> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("backprop", new Entry("one forward/backward pass of a cfg on .npy input, gradients as .npy (untiled or tiled)",
                BackpropCommand::run));
        COMMANDS.put("plan", new Entry("the fused-tile plan of a cfg (regions, redundancy, halo bytes) and its predicted cost",
                PlanCommand::run));
        COMMANDS.put("train", new Entry("train a Darknet detector in this process, untiled or as fused tiles (no Spark)",
                LocalTrainCommand::run));
        COMMANDS.put("calibrate-bn", new Entry("set batch norms' rolling statistics from training images (for frozen batch norm)",
                dev.tiletrain.job.local.CalibrateBnCommand::run));
        COMMANDS.put("map", new Entry("mean average precision of a detector on a .data file's validation list (PASCAL VOC)",
                dev.tiletrain.job.detect.MapCommand::run));
        COMMANDS.put("detect", new Entry("detections on images, printed and drawn into IMAGE.predictions.png",
                dev.tiletrain.job.detect.DetectCommand::run));
        COMMANDS.put("report", new Entry("rebuild a run's report.html and charts from the metrics CSVs in its directory",
                dev.tiletrain.job.report.ReportCommand::run));
        COMMANDS.put("scaling-table", new Entry("the scaling table and charts of the runs submit/scaling made",
                dev.tiletrain.job.scaling.ScalingCommand::run));
        COMMANDS.put("generate-data", new Entry("write the synthetic shapes detection set (Darknet layout)", GenerateData::run));
        COMMANDS.put("bench", new Entry("time untiled training steps: median ms, GFLOP/s, live heap", dev.tiletrain.ops.bench.TrainStepBench::run));
        COMMANDS.put("check-data", new Entry("read every image and label of a .data set as training will, and report", CheckData::run));
        COMMANDS.put("profile", new Entry("measure this machine's rates into a device profile for the planner", dev.tiletrain.tiles.cli.ProfileCommand::run));
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
