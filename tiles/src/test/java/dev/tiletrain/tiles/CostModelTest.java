package dev.tiletrain.tiles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Layer;
import dev.tiletrain.ops.net.Block;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cost model's arithmetic on a plan small enough to count by hand: two blocks of a 3×3 convolution
 * (2 → 2 channels, padding 1) on a 2×8×8 input, the first batch-normalized (sync), the second with a bias,
 * both leaky; a 1×2 grid (tile 0 owns columns 0–3, tile 1 columns 4–7 of every map); batch 2.
 */
class CostModelTest {
    private static final int BATCH = 2;
    private static final double EXACT = 1e-12;

    /** 1 GFLOP/s, 1 GB/s, 8 Mbit/s (10⁶ bytes/s), 1 ms latency, 10 ms a stage, 100 ms a pass, 1 ms a MB, 1 core. */
    static DeviceProfile unitProfile() {
        return unitProfile("0");
    }

    /** The unit profile with a driver that takes {@code driverShare} of its device's CPU. */
    static DeviceProfile unitProfile(String driverShare) {
        Properties p = new Properties();
        p.putAll(java.util.Map.of("conv.gflops.1", "1", "conv.gflops.2", "1", "conv.gflops.4", "1", "memory.gbps", "1",
                "memory.mb", "1", "link.mbps", "8", "link.latency.ms", "1", "stage.overhead.ms", "10", "pass.overhead.ms", "100", "spark.mb.ms", "1"));
        p.put("driver.share", driverShare);
        p.put("cores", "1");
        return DeviceProfile.parse(p, "unit");
    }

    static Network twoConvBlocks() {
        return new RandomStack(3, new Shape(2, 8, 8), BatchNorm.Mode.SYNC).conv(2, 3, 1, true).conv(2, 3, 1, false).build();
    }

    @Test
    void haloBytesAndTimeAtTheBoundary() {
        TrainingPlan plan = TrainingPlan.of(twoConvBlocks(), Grouping.parse("0-0,1-1"), new Grid(1, 2));
        // Group 1's tile 0 reads columns 0-4 of block 0's map: column 4 (8 rows, 2 channels, 16 floats, 64 bytes)
        // from tile 1; tile 1 reads column 3 from tile 0. Batch 2: 256 bytes cross the boundary each way.
        Prediction two = new CostModel(unitProfile(), 2).predict(plan, BATCH);
        assertArrayEquals(new long[] {256}, two.haloBytes());
        // Each device receives 128 bytes forward and 128 backward: 2 × (128 B / 10⁶ B/s + 1 ms).
        assertEquals(2 * (128 / 1e6 + 1e-3), two.haloSeconds(), EXACT);
        // On one device the strips stay local.
        Prediction one = new CostModel(unitProfile(), 1).predict(plan, BATCH);
        assertArrayEquals(new long[] {0}, one.haloBytes());
        assertEquals(0, one.haloSeconds());
    }

    @Test
    void syncRoundsAndStages() {
        TrainingPlan plan = TrainingPlan.of(twoConvBlocks(), Grouping.parse("0-0,1-1"), new Grid(1, 2));
        Prediction p = new CostModel(unitProfile(), 2).predict(plan, BATCH);
        // One sync batch norm: all-reduced once forward, once backward.
        assertEquals(2, p.syncRounds());
        assertEquals(2 * 2 * 1e-3, p.syncSeconds(), EXACT);
        // Group 0 (conv, then bn carrying leaky): forward conv | sync | bn; backward, its delta arrives at the bn:
        // the halo add and the local sums | sync | bn, conv: 4 stages. Group 1: one forward, one backward. The
        // tail runs on the driver between the two jobs, and the gradient reduction rides on the last backward
        // stage: 4 + 2.
        assertEquals(6, p.stages());
        assertEquals(6 * 10e-3 + 100e-3, p.stageSeconds(), EXACT); // and one pass
    }

    @Test
    void copiesThroughSparkAreTheHalosOfTheBusiestDeviceAndWhatTheDriverMoves() {
        TrainingPlan plan = TrainingPlan.of(twoConvBlocks(), Grouping.parse("0-0,1-1"), new Grid(1, 2));
        int passes = 3;
        Prediction p = new CostModel(unitProfile(), 2).predict(plan, BATCH, passes);
        // Per pass: each device writes and reads 128 bytes of halo forward and 128 backward (512); the driver
        // gathers the last group's 2 channels × 8 × 8 map of both images (1024 bytes) and scatters its delta
        // (1024), and takes each of the 2 tiles' gradients of the 82 tiled floats. Per iteration the 82 floats
        // are serialised once for the broadcast. 1 ms per MB.
        double bytes = passes * (512 + 2 * 1024 + 2 * 4.0 * 82) + 4.0 * 82;
        assertEquals(bytes / 1e6 * 1e-3, p.copySeconds(), EXACT);
        // On one device nothing crosses a link, but the driver still moves the same tensors through Spark.
        Prediction one = new CostModel(unitProfile(), 1).predict(plan, BATCH, passes);
        assertEquals((bytes - passes * 512) / 1e6 * 1e-3, one.copySeconds(), EXACT);
        assertEquals(p.computeSeconds() + p.haloSeconds() + p.tailSeconds() + p.syncSeconds() + p.stageSeconds()
                + p.copySeconds() + p.reduceSeconds(), p.iterationSeconds(), EXACT);
    }

    @Test
    void fewerTilesThanDevicesLeaveTheDriversDeviceToTheDriver() {
        TrainingPlan plan = TrainingPlan.of(twoConvBlocks(), Grouping.parse("0-0,1-1"), new Grid(1, 2));
        Prediction two = new CostModel(unitProfile(), 2).predict(plan, BATCH, 2);
        Prediction four = new CostModel(unitProfile(), 4).predict(plan, BATCH, 2);
        // On two devices tile 0 runs beside the driver; on four the tiles run on devices 1 and 2 (the job releases
        // the driver's executor), each as device 1 did; device 3 gets no task, so no broadcast, and keeps nothing.
        long executor = two.deviceMemory()[1];
        assertArrayEquals(new long[] {two.deviceMemory()[0] - executor, executor, executor, 0}, four.deviceMemory());
        assertArrayEquals(new long[] {2 * (two.linkBytes()[0] - haloBytes(two)), two.linkBytes()[1],
                two.linkBytes()[1], 0}, four.linkBytes());
    }

    @Test
    void overlappedPassesHideTheShorterOfTailsAndTilesWhenTheDriversDeviceRunsNoTile() {
        TrainingPlan plan = TrainingPlan.of(twoConvBlocks(), Grouping.parse("0-0,1-1"), new Grid(1, 2));
        int passes = 3;
        Prediction serial = new CostModel(unitProfile(), 4).predict(plan, BATCH, passes);
        Prediction overlapped = new CostModel(unitProfile(), 4).predict(plan, BATCH, passes, true);
        // Per pass the tiles' part S (compute, halos, syncs, stages and the pass's overhead) and the tail T: the
        // executors run 3 S, the driver 3 T after the first forward; min(3 T, 2 S) of 3 (S + T) is hidden.
        double tiles = (serial.computeSeconds() + serial.haloSeconds() + serial.syncSeconds() + serial.stageSeconds())
                / passes;
        double hidden = Math.min(serial.tailSeconds(), (passes - 1) * tiles);
        assertTrue(hidden > 0);
        assertEquals(hidden, overlapped.overlapSeconds(), EXACT);
        assertEquals(serial.iterationSeconds() - hidden, overlapped.iterationSeconds(), EXACT);
        // Devices 1 and 2 hold two passes' tile states (all but the broadcast weights, the model's copy and a
        // gradient part: 3 × 82 floats); the driver's device and the idle one as before.
        long weights = 3 * 4 * 82;
        assertArrayEquals(new long[] {serial.deviceMemory()[0], 2 * serial.deviceMemory()[1] - weights,
                2 * serial.deviceMemory()[2] - weights, 0}, overlapped.deviceMemory());
        // A tile beside the driver takes the tail's CPU: no time hidden, the memory still doubled.
        Prediction beside = new CostModel(unitProfile(), 2).predict(plan, BATCH, passes, true);
        assertEquals(0, beside.overlapSeconds());
        assertEquals(new CostModel(unitProfile(), 2).predict(plan, BATCH, passes).iterationSeconds(),
                beside.iterationSeconds(), EXACT);
        // One pass has nothing to overlap.
        Prediction one = new CostModel(unitProfile(), 4).predict(plan, BATCH, 1, true);
        assertEquals(0, one.overlapSeconds());
        assertArrayEquals(new CostModel(unitProfile(), 4).predict(plan, BATCH, 1).deviceMemory(), one.deviceMemory());
    }

    /** What crosses device 1's link of the two-device plan between the tiles (halos), not to the driver. */
    private static long haloBytes(Prediction p) {
        return 2L * 2 * p.haloBytes()[0];
    }

    @Test
    void theDriversDeviceComputesWithWhatTheDriverLeavesOfItsCpu() {
        TrainingPlan plan = TrainingPlan.of(twoConvBlocks(), Grouping.parse("0-0,1-1"), new Grid(1, 2));
        CostModel.GroupCost free = new CostModel(unitProfile(), 2).group(plan.group(1), plan.boundary(0), BATCH);
        CostModel.GroupCost shared = new CostModel(unitProfile("0.75"), 2)
                .group(plan.group(1), plan.boundary(0), BATCH);
        // Device 0 keeps a quarter of its CPU for tile 0, which takes 4 times as long, and every stage waits for it.
        assertEquals(4 * free.computeSeconds(), shared.computeSeconds(), EXACT);
    }

    @Test
    void computeTimeCountsEachTilesWork() {
        TrainingPlan plan = TrainingPlan.of(twoConvBlocks(), Grouping.parse("0-0,1-1"), new Grid(1, 2));
        CostModel model = new CostModel(unitProfile(), 2);
        CostModel.GroupCost c = model.group(plan.group(1), plan.boundary(0), BATCH);
        // Per tile and image: the conv's 2·36 weights·32 positions = 2304 FLOPs, the bias and the leaky 512 bytes
        // each (2 channels × 32 positions in and out); training triples both; 1 GFLOP/s and 1 GB/s; batch 2.
        assertEquals(BATCH * 3 * (2304 + 512 + 512) / 1e9, c.computeSeconds(), EXACT);
        assertEquals(0, c.redundancy(), EXACT);
    }

    @Test
    void redundancyOfTwoFusedConvolutions() {
        TrainingPlan plan = TrainingPlan.of(twoConvBlocks(), Grouping.single(1), new Grid(1, 2));
        CostModel.GroupCost c = new CostModel(unitProfile(), 2).group(plan.group(0), List.of(), BATCH);
        // Fused, each tile's first conv computes 5 of the 8 columns: 80 positions instead of 64 for the pair
        // of tiles' 2·40; the second conv computes exactly its 32. Tiled 36·(80 + 64) against 36·(64 + 64).
        assertEquals((80.0 + 64) / (64 + 64) - 1, c.redundancy(), EXACT);
    }

    @Test
    void tileMemoryTermsByHand() {
        TrainingPlan plan = TrainingPlan.of(twoConvBlocks(), Grouping.parse("0-0,1-1"), new Grid(1, 2));
        FusedGroup g = plan.group(1);
        // Tile 0 keeps its input (2 channels × 5 × 8 = 80 floats) and three outputs of 2 × 4 × 8 = 64 floats.
        assertEquals(4.0 * BATCH * (80 + 3 * 64), TileMemory.kept(g, 0, BATCH));
        // Its gradients: the conv's 36 weights and the bias's 2.
        assertEquals(4.0 * (36 + 2), TileMemory.gradients(g));
        // Held: the larger of its owned-output seed (64 floats) and its input delta (80).
        assertEquals(4.0 * BATCH * 80, TileMemory.heldDelta(g, 0, BATCH));
        // In flight: at the conv, the incoming delta (64) and the outgoing one over its input (80).
        assertEquals(4.0 * BATCH * (64 + 80), TileMemory.backwardInFlight(g, 0, BATCH));
        // The im2col band: 2·3·3 = 18 rows × all 8 output rows × 4 columns (the budget allows far more).
        assertEquals(4.0 * 18 * 8 * 4, TileMemory.scratch(g, 0));
    }

    @Test
    void deviceMemoryAddsTheTermsByHand() {
        Network net = twoConvBlocks();
        TrainingPlan plan = TrainingPlan.of(net, Grouping.parse("0-0,1-1"), new Grid(1, 2));
        Prediction p = new CostModel(unitProfile(), 2).predict(plan, BATCH);
        // Tiled parameters: 36 + 8 (bn: biases, scales, rolling mean and variance) + 36 + 2 = 82 floats, all of
        // the net (no tail layers): an executor holds the broadcast and its model's copy, and one tile's part.
        // Kept per tile: 4·2·(80 + 2·64) bytes in group 0 (conv, bn) and 4·2·(80 + 3·64) in group 1 (conv, bias,
        // leaky), plus the tile's gradients (40 and 38 floats). At the
        // worst moment (either group's backward): the held input delta (80 floats), the conv's 64 + 80 in
        // flight, one band of 576 floats.
        double executor = 3 * 4.0 * 82 + 4.0 * BATCH * (80 + 2 * 64) + 4.0 * BATCH * (80 + 3 * 64) + 4.0 * (40 + 38)
                + 4.0 * BATCH * (80 + 64 + 80) + 4.0 * 576;
        assertEquals((long) executor, p.deviceMemory()[1]);
        // Device 0 also runs the driver: the weights, the momentum of the 78 trainable floats, two gradient
        // vectors, two tile parts, and the tail's gather of the 2×8×8 map with its delta (2 × 128 floats × 2).
        double driver = 4.0 * 82 + 4.0 * 78 + 2 * 4.0 * 82 + 2 * 4.0 * 82 + 4.0 * BATCH * 2 * 128;
        assertEquals((long) (executor + driver), p.deviceMemory()[0]);
    }

    @Test
    void linkBytesByHand() {
        TrainingPlan plan = TrainingPlan.of(twoConvBlocks(), Grouping.parse("0-0,1-1"), new Grid(1, 2));
        Prediction p = new CostModel(unitProfile(), 2).predict(plan, BATCH);
        // Device 1 runs tile 1: the halo strips it sends and receives, forward and back (4 × 128 bytes), its
        // owned output to the driver and its delta back (2 × 2 images × 2 channels × 32 positions × 4 bytes),
        // its gradient part and the tiled weights' broadcast (82 floats each way); device 0 the other ends.
        long expected = 4 * 128 + 2 * 4 * BATCH * 2 * 32 + 2 * 4 * 82;
        assertArrayEquals(new long[] {expected, expected}, p.linkBytes());
        // Two passes per iteration: everything but the broadcast twice.
        assertArrayEquals(new long[] {2 * expected - 4 * 82, 2 * expected - 4 * 82},
                new CostModel(unitProfile(), 2).predict(plan, BATCH, 2).linkBytes());
    }

    @Test
    void inProcessPeakByHand() {
        TrainingPlan plan = TrainingPlan.of(twoConvBlocks(), Grouping.parse("0-0,1-1"), new Grid(1, 2));
        InProcessMemory.RunnerMemory m = InProcessMemory.of(plan, BATCH, 2);
        // Always: group 0's 2 tiles' kept 1664 bytes, group 1's 2 tiles' 2176, two pool threads' 2304-byte bands.
        double always = 2 * 1664 + 2 * 2176 + 2 * 2304;
        // At the end: both groups' input deltas (4 × 640), both groups' tile gradients (2 × 160 + 2 × 152),
        // their sum (78 floats), the input gradient and the output (2 images × 2 × 8 × 8 floats each).
        double end = 4 * 640 + (2 * 160 + 2 * 152) + 4 * 78 + 2 * (4.0 * BATCH * 128);
        // It beats group 0's backward: group 1's input deltas, all tile gradients, group 0's held deltas
        // (2 × 640) and two tiles in flight (2 × 1152); and the tail (the gather and scatter of 2 × 128 floats × 2).
        double backward = 2 * 640 + (2 * 160 + 2 * 152) + 2 * 640 + 2 * 1152;
        assertEquals(5544, end);
        assertEquals(5488, backward);
        assertEquals((long) (always + end), m.peak());
        assertEquals("end", m.moment());
        assertEquals(2 * 1664 + 2 * 2176, m.activations());
        assertEquals(2 * 160 + 2 * 152, m.tileGradients());
        assertEquals(4 * 640, m.inputDeltas());
    }

    /** Random stacks with lone batch-norm blocks, so that groups start and end at a sync. */
    static Stream<Integer> seeds() {
        return IntStream.range(0, 20).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void stagesAndSyncRoundsAreThePlansSteps(int seed) {
        Random random = new Random(seed);
        Network net = stackWithLoneBatchNorms(random);
        int blocks = net.blocks().size();
        for (int mask = 0; mask < 1 << (blocks - 1); mask++) {
            TrainingPlan plan = TrainingPlan.of(net, cuts(mask, blocks - 1), new Grid(1 + random.nextInt(2), 1 + random.nextInt(2)));
            Prediction p = new CostModel(unitProfile(), 3).predict(plan, 1);
            // A stage ends at each exchange of the plan (StageLabels names them so in the job).
            long tileStages = plan.steps().stream().filter(s -> s instanceof PlanStep.SyncForward
                    || s instanceof PlanStep.GatherHalo || s instanceof PlanStep.Tail || s instanceof PlanStep.SyncBackward
                    || s instanceof PlanStep.AddHalo || s instanceof PlanStep.ReduceGradients).count();
            long syncs = plan.steps().stream().filter(s -> s instanceof PlanStep.SyncForward || s instanceof PlanStep.SyncBackward).count();
            assertEquals(tileStages, p.stages(), plan.steps().toString());
            assertEquals(syncs, p.syncRounds(), plan.steps().toString());
        }
    }

    /** A conv block, then blocks that are a conv or a lone sync batch norm at random, 5 blocks in all. */
    private static Network stackWithLoneBatchNorms(Random random) {
        RandomStack stack = new RandomStack(random.nextLong(), new Shape(2, 9, 9), BatchNorm.Mode.SYNC).conv(2, 3, 1, true);
        Network net = stack.build();
        List<Block> blocks = new ArrayList<>(net.blocks());
        Shape s = net.output();
        for (int b = 1; b < 5; b++) {
            List<Layer> layers = random.nextBoolean()
                    ? List.of(new BatchNorm(s, BatchNorm.Mode.SYNC))
                    : new RandomStack(random.nextLong(), s, BatchNorm.Mode.SYNC).conv(2, 3, 1, random.nextBoolean()).build()
                            .block(0).layers();
            blocks.add(new Block(b, "block", layers, new int[] {b - 1}, s));
        }
        return new Network(net.input(), blocks);
    }

    /** The grouping of blocks 0..last with a cut after block i for every bit i of {@code mask}. */
    static Grouping cuts(int mask, int last) {
        List<int[]> ranges = new ArrayList<>();
        int start = 0;
        for (int b = 0; b <= last; b++) {
            if (b == last || (mask >> b & 1) == 1) {
                ranges.add(new int[] {start, b});
                start = b + 1;
            }
        }
        return new Grouping(ranges);
    }
}
