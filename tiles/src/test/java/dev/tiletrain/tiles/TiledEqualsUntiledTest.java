package dev.tiletrain.tiles;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.WholeMapPass;
import dev.tiletrain.ops.layers.WinogradUse;
import dev.tiletrain.ops.net.Backprop;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.net.BackwardStart;
import dev.tiletrain.ops.net.StepResult;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of fused tile partitioning: one tiled training pass gives the untiled pass's cost, output,
 * input gradient and every parameter gradient, within relative {@link #TOLERANCE} (see {@link Closeness}).
 */
class TiledEqualsUntiledTest {
    static final double TOLERANCE = 1e-5;

    /**
     * A fixed stack on every grid and grouping: an odd map, a stride-1 pool, a stride-2 conv, a conv
     * without batch norm and a stride-2 pool, ending 14×13 so that 4×4 tiles fit.
     */
    static Stream<Arguments> everyGridAndGrouping() {
        List<Arguments> cases = new ArrayList<>();
        for (BatchNorm.Mode mode : BatchNorm.Mode.values()) {
            for (int rows = 1; rows <= 4; rows++) {
                for (int cols = 1; cols <= 4; cols++) {
                    for (String groups : List.of("0-4", "0-0,1-1,2-2,3-3,4-4", "0-1,2-4", "0-2,3-3,4-4")) {
                        cases.add(Arguments.of(mode, new Grid(rows, cols), groups));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} groups {2}")
    @MethodSource("everyGridAndGrouping")
    void fixedStackOnEveryGridAndGrouping(BatchNorm.Mode mode, Grid grid, String groups) {
        RandomStack stack = new RandomStack(11, new Shape(2, 53, 49), mode)
                .conv(3, 3, 1, true).maxpool(2, 1).conv(4, 3, 2, true).conv(3, 1, 1, false).maxpool(3, 2);
        Network net = stack.build();
        assertTiledEqualsUntiled(net, Grouping.parse(groups), grid, 2, stack.random());
    }

    /** Darknet's batch-norm backward needs the same synchronised sums as the exact one, so it tiles alike. */
    static Stream<Arguments> everyGridAndGroupingInSync() {
        return everyGridAndGrouping().filter(a -> a.get()[0] == BatchNorm.Mode.SYNC);
    }

    @ParameterizedTest(name = "darknet backward {1} groups {2}")
    @MethodSource("everyGridAndGroupingInSync")
    void darknetBatchNormBackwardOnEveryGridAndGrouping(BatchNorm.Mode mode, Grid grid, String groups) {
        RandomStack stack = new RandomStack(11, new Shape(2, 53, 49), mode, BatchNorm.Backward.DARKNET)
                .conv(3, 3, 1, true).maxpool(2, 1).conv(4, 3, 2, true).conv(3, 1, 1, false).maxpool(3, 2);
        Network net = stack.build();
        assertTiledEqualsUntiled(net, Grouping.parse(groups), grid, 2, stack.random());
    }

    /**
     * Random stacks, shapes, grids (N≠M included), groupings, modes, batches and a tail or none; odd seeds run
     * every 3×3, stride-1 convolution by Winograd's algorithm (the stacks' few channels keep it off by default).
     */
    static Stream<Arguments> randomCases() {
        return IntStream.range(0, 60).mapToObj(Arguments::of);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("randomCases")
    void randomStacks(int seed) {
        WinogradUse.set(seed % 2 == 1 ? WinogradUse.ALL : WinogradUse.AUTO);
        Random r = new Random(1000 + seed);
        BatchNorm.Mode mode = r.nextBoolean() ? BatchNorm.Mode.SYNC : BatchNorm.Mode.FROZEN;
        Shape input = new Shape(1 + r.nextInt(3), 7 + r.nextInt(17), 7 + r.nextInt(17));
        RandomStack stack = new RandomStack(seed, input, mode).randomBlocks(2 + r.nextInt(4));
        Network net = stack.build();
        int blocks = net.blocks().size();
        int tiled = r.nextInt(3) == 0 ? blocks - 1 : blocks; // sometimes leave an untiled tail
        Grouping grouping = randomGrouping(r, tiled);
        Shape end = net.block(grouping.lastBlock()).output();
        Grid grid = new Grid(1 + r.nextInt(Math.min(4, end.h())), 1 + r.nextInt(Math.min(4, end.w())));
        grid = fitting(grid, end);
        assertTiledEqualsUntiled(net, grouping, grid, 1 + r.nextInt(3), stack.random());
    }

    private static Grouping randomGrouping(Random r, int blocks) {
        List<int[]> ranges = new ArrayList<>();
        int start = 0;
        for (int b = 0; b < blocks; b++) {
            if (b == blocks - 1 || r.nextBoolean()) {
                ranges.add(new int[] {start, b});
                start = b + 1;
            }
        }
        return new Grouping(ranges);
    }

    /** The grid reduced until DeepThings' rule leaves no tile empty. */
    private static Grid fitting(Grid grid, Shape map) {
        int rows = grid.rows(), cols = grid.cols();
        while (rows > 1 && (rows - 1) * ((map.h() + rows - 1) / rows) > map.h() - 1) {
            rows--;
        }
        while (cols > 1 && (cols - 1) * ((map.w() + cols - 1) / cols) > map.w() - 1) {
            cols--;
        }
        return new Grid(rows, cols);
    }

    private static final List<InProcessRunner> runners = new ArrayList<>();

    @AfterEach
    void winogradAsByDefault() {
        WinogradUse.set(WinogradUse.jvmDefault());
    }

    @AfterAll
    static void closeRunners() {
        runners.forEach(InProcessRunner::close);
    }

    static void assertTiledEqualsUntiled(Network net, Grouping grouping, Grid grid, int batch, Random r) {
        Tensor x = random(Tensor.zeros(batch, net.input()), r);
        Tensor g = random(Tensor.zeros(batch, net.output()), r);
        BackwardStart seed = new BackwardStart.Gradient(g);
        StepResult expected = Backprop.run(net, x, seed, new WholeMapPass(true, 5));
        TrainingPlan plan = TrainingPlan.of(net, grouping, grid);
        InProcessRunner runner = new InProcessRunner(plan, 2);
        runners.add(runner);
        StepResult actual = runner.run(x, seed, true, 5, 0);
        Closeness.assertSameStep(expected, actual, net.params(), TOLERANCE);
    }

    private static Tensor random(Tensor t, Random r) {
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = r.nextFloat() * 2 - 1;
        }
        return t;
    }
}
