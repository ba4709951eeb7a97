package dev.tiletrain.tiles.cli;

import dev.tiletrain.ops.cfg.CfgException;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.cfg.NetConfig;
import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.tiles.CostModel;
import dev.tiletrain.tiles.DeviceProfile;
import dev.tiletrain.tiles.FusedGroup;
import dev.tiletrain.tiles.Grid;
import dev.tiletrain.tiles.Grouping;
import dev.tiletrain.tiles.HaloStrip;
import dev.tiletrain.tiles.Planner;
import dev.tiletrain.tiles.Prediction;
import dev.tiletrain.tiles.PrefixLayer;
import dev.tiletrain.tiles.TrainingPlan;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code tiletrain plan}: the fused-tile plan of a network — groups, every tile's regions, redundant
 * compute, halo bytes — and the cost model's prediction per device; {@code auto} lets the planner choose.
 */
public final class PlanCommand {
    private static final String USAGE = """
            Usage: tiletrain plan --cfg NET.cfg [--input WxH] [--batch B] [--passes P] [--tiles NxM|auto]
                                  [--groups CUTS|auto] [--tiled-layers K] [--profile P] [--devices D] [--json]

            Prints, per group: its layers, each tile's region at the group's first layer, redundant compute
            (% of the untiled group's FLOPs) and halo bytes in; and per device the predicted peak memory and
            iteration time. With --json, one JSON object whose "groups" list every tile's input and output
            rectangle at every layer ([x1,y1,x2,y2], inclusive, in that layer's input/output map), tiles in
            row-major order.

              --input WxH        network input size (default: the cfg's width x height)
              --batch B          images per pass (default 1)
              --passes P         passes per iteration (default 1), overlapped where the job would overlap
                                 them (spark.tiletrain.overlapPasses=auto: the driver's device runs no tile
                                 and two passes' tile states fit)
              --tiles NxM|auto   grid of N rows and M columns (default auto: every grid with N·M ≤ devices)
              --groups CUTS|auto layer ranges like 0-3,4-9,10-15 (default auto: the planner's cuts)
              --tiled-layers K   tile layers 0..K-1 (default: the end of --groups, or auto)
              --profile P        device profile file (default conf/profiles/pi3.properties)
              --devices D        devices of the cluster (default: the grid's tile count, or 4 with auto)
              --json             print JSON instead of tables
            """;

    private PlanCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            Arguments a = Arguments.parse(args, Set.of("cfg", "input", "batch", "passes", "tiles", "groups", "tiled-layers",
                    "profile", "devices"), Set.of("json"));
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            return plan(a, out);
        } catch (UsageException | CfgException | IllegalArgumentException e) {
            err.println("plan: " + e.getMessage());
            err.println("Try 'tiletrain plan --help'.");
            return 2;
        } catch (IOException e) {
            err.println("plan: " + e.getMessage());
            return 1;
        }
    }

    private static int plan(Arguments a, PrintStream out) throws UsageException, IOException {
        var cfg = CfgParser.parse(Path.of(a.required("cfg")));
        NetConfig net = NetConfig.of(cfg);
        int w = net.width(), h = net.height();
        if (a.has("input")) {
            String[] p = a.get("input", "").toLowerCase().split("x");
            try {
                w = Integer.parseInt(p[0].trim());
                h = Integer.parseInt(p[1].trim());
            } catch (RuntimeException e) {
                throw new UsageException("--input must be WxH, like 416x416, got '" + a.get("input", "") + "'");
            }
        }
        Model model = ModelBuilder.build(cfg, BatchNorm.Mode.SYNC, 0, new Shape(net.channels(), h, w));
        int batch = a.integer("batch", 1, 1, 4096);
        int passes = a.integer("passes", 1, 1, 4096);
        String tiles = a.get("tiles", "auto"), groups = a.get("groups", "auto");
        Grid grid = tiles.equals("auto") ? null : Grid.parse(tiles);
        Grouping grouping = groups.equals("auto") ? null : Grouping.parse(groups);
        Integer lastTiled = null;
        if (a.has("tiled-layers")) {
            lastTiled = a.integer("tiled-layers", 1, 1, model.network().blocks().size()) - 1;
        } else if (grouping != null) {
            lastTiled = grouping.lastBlock();
        }
        int devices = a.integer("devices", grid != null ? grid.tiles() : 4, 1, 4096);
        DeviceProfile profile = DeviceProfile.load(Path.of(a.get("profile", "conf/profiles/pi3.properties")));
        Planner planner = new Planner(model.network(), new CostModel(profile, devices), profile.memoryBytes(), batch,
                passes, true);
        Planner.Choice choice;
        if (grid != null && grouping != null) {
            // Nothing left to choose: show this plan even when it does not fit the device.
            TrainingPlan plan = TrainingPlan.of(model.network(), grouping, grid);
            choice = new Planner.Choice(plan, planner.predict(plan), 1);
        } else {
            choice = planner.choose(lastTiled, grid, grouping);
        }
        if (a.has("json")) {
            out.println(json(choice.plan(), choice.prediction(), profile, devices, batch));
        } else {
            print(out, cfg.file(), choice, profile, devices, batch, passes);
        }
        return 0;
    }

    private static void print(PrintStream out, String name, Planner.Choice c, DeviceProfile profile, int devices, int batch,
            int passes) {
        TrainingPlan plan = c.plan();
        Prediction p = c.prediction();
        out.printf("%s, input %s, batch %d%s, %d devices of profile %s (%d plans predicted)%n", name,
                plan.network().input(), batch, passes > 1 ? " per pass, " + passes + " passes" : "", devices, profile.name(), c.evaluated());
        out.printf("tiled layers 0-%d, %d group(s), tail %s%n%n", plan.lastTiledBlock(), plan.groups().size(),
                plan.hasTail() ? "L" + (plan.lastTiledBlock() + 1) + "-" + (plan.network().blocks().size() - 1) : "none");
        for (FusedGroup g : plan.groups()) {
            long haloIn = g.index() == 0 ? 0 : p.haloBytes()[g.index() - 1];
            out.printf("group %d  %s  grid %s  redundancy %.1f %%  halo in %.3f MB/iteration%n", g.index(), g.span(),
                    g.grid(), 100 * p.redundancy()[g.index()], 2 * haloIn / 1e6);
            out.printf("  %-8s %-24s %-12s %-22s%n", "tile", "input region", "size", "owned output");
            for (int t = 0; t < g.tiles(); t++) {
                Rect in = g.input(t), own = g.ownedOutput(t);
                out.printf("  %-8s %-24s %-12s %-22s%n", g.grid().row(t) + "," + g.grid().col(t), in,
                        in.width() + "x" + in.height(), own);
            }
        }
        out.printf("%nper device predicted peak memory:");
        for (int d = 0; d < p.deviceMemory().length; d++) {
            out.printf(" %.1f", p.deviceMemory()[d] / 1048576.0);
        }
        out.printf(" MB (cap %.0f MB)%s%n", profile.memoryBytes() / 1048576.0,
                p.peakMemory() > profile.memoryBytes() ? "  -- DOES NOT FIT the device" : "");
        out.printf("predicted iteration %.3f s: compute %.3f, halo %.3f, tail %.3f, BN syncs %.3f (%d), stages %.3f (%d), "
                        + "copies through Spark %.3f, gradient reduce %.3f%s%n", p.iterationSeconds(), p.computeSeconds(),
                p.haloSeconds(), p.tailSeconds(), p.syncSeconds(), p.syncRounds(), p.stageSeconds(), p.stages(),
                p.copySeconds(), p.reduceSeconds(), p.overlapSeconds() > 0
                        ? String.format(", hidden by overlapped passes %.3f", p.overlapSeconds()) : "");
    }

    private static String json(TrainingPlan plan, Prediction p, DeviceProfile profile, int devices, int batch) {
        StringBuilder s = new StringBuilder("{\"input\":").append(shape(plan.network().input()))
                .append(",\"batch\":").append(batch).append(",\"devices\":").append(devices)
                .append(",\"profile\":\"").append(profile.name().replace("\"", "'")).append("\",\"groups\":[");
        for (FusedGroup g : plan.groups()) {
            s.append(g.index() == 0 ? "" : ",").append("{\"first\":").append(g.firstBlock()).append(",\"last\":")
                    .append(g.lastBlock()).append(",\"grid\":[").append(g.grid().rows()).append(',').append(g.grid().cols())
                    .append("],\"redundancy\":").append(p.redundancy()[g.index()])
                    .append(",\"haloBytesIn\":").append(g.index() == 0 ? 0 : p.haloBytes()[g.index() - 1])
                    .append(",\"tiles\":[");
            for (int t = 0; t < g.tiles(); t++) {
                s.append(t == 0 ? "" : ",").append("{\"row\":").append(g.grid().row(t)).append(",\"col\":")
                        .append(g.grid().col(t)).append(",\"layers\":[");
                boolean first = true;
                for (int b = g.firstBlock(); b <= g.lastBlock(); b++) {
                    int firstLayer = -1, lastLayer = -1;
                    for (int i = 0; i < g.layers().size(); i++) {
                        PrefixLayer l = g.layers().get(i);
                        if (l.block() == b) {
                            firstLayer = firstLayer < 0 ? i : firstLayer;
                            lastLayer = i;
                        }
                    }
                    Rect in = firstLayer == 0 ? g.input(t) : g.output(t, firstLayer - 1);
                    s.append(first ? "" : ",").append("{\"layer\":").append(b).append(",\"input\":").append(rect(in))
                            .append(",\"output\":").append(rect(g.output(t, lastLayer))).append('}');
                    first = false;
                }
                s.append("]}");
            }
            s.append("]}");
        }
        s.append("],\"strips\":[");
        boolean first = true;
        for (int b = 0; b + 1 < plan.groups().size(); b++) {
            for (HaloStrip h : plan.boundary(b)) {
                s.append(first ? "" : ",").append("{\"boundary\":").append(b).append(",\"from\":").append(h.from())
                        .append(",\"to\":").append(h.to()).append(",\"rect\":").append(rect(h.rect()))
                        .append(",\"bytesPerImage\":").append(h.bytesPerImage()).append(",\"local\":").append(h.local()).append('}');
                first = false;
            }
        }
        s.append("],\"prediction\":{\"iterationSeconds\":").append(p.iterationSeconds())
                .append(",\"computeSeconds\":").append(p.computeSeconds()).append(",\"haloSeconds\":").append(p.haloSeconds())
                .append(",\"tailSeconds\":").append(p.tailSeconds()).append(",\"syncSeconds\":").append(p.syncSeconds())
                .append(",\"stageSeconds\":").append(p.stageSeconds()).append(",\"copySeconds\":").append(p.copySeconds())
                .append(",\"reduceSeconds\":").append(p.reduceSeconds())
                .append(",\"overlapSeconds\":").append(p.overlapSeconds())
                .append(",\"syncRounds\":").append(p.syncRounds()).append(",\"stages\":").append(p.stages())
                .append(",\"deviceMemoryBytes\":[");
        for (int d = 0; d < p.deviceMemory().length; d++) {
            s.append(d == 0 ? "" : ",").append(p.deviceMemory()[d]);
        }
        return s.append("]}}").toString();
    }

    private static String rect(Rect r) {
        return "[" + r.x1() + "," + r.y1() + "," + r.x2() + "," + r.y2() + "]";
    }

    private static String shape(Shape s) {
        return "[" + s.c() + "," + s.h() + "," + s.w() + "]";
    }
}
