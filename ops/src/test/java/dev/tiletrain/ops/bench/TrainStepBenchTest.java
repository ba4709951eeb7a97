package dev.tiletrain.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrainStepBenchTest {
    /** Surefire runs in the module directory. */
    private static final Path CONF = Path.of("..", "conf");

    /** The count submit/pytorch-train-step prints for the same cfg: 2 per multiply-add of forward, weight and input gradients, no input gradient for layer 0. */
    @ParameterizedTest
    @CsvSource({"yolov2-voc-prefix16.cfg, 416, 1, 36217159680", "yolov2-tiny-voc.cfg, 64, 2, 982892544"})
    void countsConvolutionFlopsAsThePyTorchReference(String cfg, int size, int batch, long flops) throws IOException {
        assertEquals(flops, new TrainStep(CONF.resolve(cfg), size, batch).convFlops());
    }

    @Test
    void runsEachConfigurationInAChildJvmAndPrintsItsRow() {
        Run r = run("--models", CONF.resolve("tiny-test.cfg").toString(), "--sizes", "64,32", "--batches", "2",
                "--threads", "1", "--steps", "2", "--warmup", "1", "--heap", "256m");
        assertEquals(0, r.code, r.err);
        Matcher row = Pattern.compile("(?m)^tiny-test\\s+(\\d+)\\s+2\\s+1\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)"
                + "\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)$").matcher(r.out);
        for (String size : new String[] {"64", "32"}) {
            assertTrue(row.find(), r.out);
            assertEquals(size, row.group(1));
            double median = Double.parseDouble(row.group(2)), min = Double.parseDouble(row.group(3));
            double max = Double.parseDouble(row.group(4)), cpu = Double.parseDouble(row.group(5));
            double gflop = Double.parseDouble(row.group(6)), live = Double.parseDouble(row.group(8));
            assertTrue(min > 0 && min <= median && median <= max, r.out);
            assertTrue(cpu >= 0 && gflop > 0 && live > 0, r.out); // CPU time ticks in 10 ms
        }
        assertTrue(r.out.contains("GEMM: netlib"), r.out);
    }

    @Test
    void runsTheStepOnComputeThreadsOrOnOpenBlasThreads() {
        Run java = run("--models", CONF.resolve("tiny-test.cfg").toString(), "--sizes", "32", "--batches", "1",
                "--threads", "2", "--steps", "1", "--warmup", "0", "--heap", "256m");
        assertEquals(0, java.code, java.err);
        assertTrue(java.out.matches("(?s).*\\ntiny-test\\s+32\\s+1\\s+2\\s.*"), java.out);
        assertTrue(java.out.contains("threads split by java") && java.out.contains("split over 2 compute threads"), java.out);
        Run blas = run("--models", CONF.resolve("tiny-test.cfg").toString(), "--sizes", "32", "--batches", "1",
                "--threads", "2", "--split", "openblas", "--steps", "1", "--warmup", "0", "--heap", "256m");
        assertEquals(0, blas.code, blas.err);
        assertTrue(blas.out.contains("threads split by openblas") && !blas.out.contains("compute threads"), blas.out);
    }

    /**
     * tiny-test's layers: convolutions, batch norms (carrying their leaky activations) and max pools, each kind
     * timed; the last convolution's bias and linear activation get rows too (they touch 1.3K floats: 0.0 ms is
     * possible).
     */
    @Test
    void layersPrintsTheTimesOfEachKindOfLayer() {
        Run r = run("--models", CONF.resolve("tiny-test.cfg").toString(), "--sizes", "32", "--batches", "2",
                "--threads", "1", "--steps", "2", "--warmup", "0", "--heap", "256m", "--layers");
        assertEquals(0, r.code, r.err);
        String table = r.out.substring(r.out.indexOf("per kind of layer"));
        for (String kind : new String[] {"conv", "batchnorm", "maxpool", "bias", "activation"}) {
            Matcher row = Pattern.compile("(?m)^tiny-test\\s+32\\s+2\\s+1\\s+" + kind + "\\s+([0-9.]+)\\s+([0-9.]+)$")
                    .matcher(table);
            assertTrue(row.find(), kind + " in\n" + r.out);
            double forward = Double.parseDouble(row.group(1)), backward = Double.parseDouble(row.group(2));
            boolean tiny = kind.equals("bias") || kind.equals("activation");
            assertTrue(tiny ? forward >= 0 && backward >= 0 : forward > 0 && backward > 0, r.out);
        }
        assertTrue(!run("--models", CONF.resolve("tiny-test.cfg").toString(), "--sizes", "32", "--batches", "1",
                "--threads", "1", "--steps", "1", "--warmup", "0", "--heap", "256m").out.contains("per kind of layer"));
    }

    @Test
    void badArgumentsExitWithTwoAndSayWhy() {
        Run unknown = run("--model", "x.cfg");
        assertEquals(2, unknown.code);
        assertTrue(unknown.err.contains("unknown argument '--model'"), unknown.err);
        Run sizes = run("--models", CONF.resolve("tiny-test.cfg").toString(), "--sizes", "416,x");
        assertEquals(2, sizes.code);
        assertTrue(sizes.err.contains("--sizes takes integers"), sizes.err);
        Run missing = run("--models", "no/such.cfg");
        assertEquals(2, missing.code);
        assertTrue(missing.err.contains("no cfg file") && missing.err.contains("such.cfg"), missing.err);
        Run split = run("--models", CONF.resolve("tiny-test.cfg").toString(), "--split", "gpu");
        assertEquals(2, split.code);
        assertTrue(split.err.contains("--split must be java or openblas, got 'gpu'"), split.err);
        Run heap = run("--models", CONF.resolve("tiny-test.cfg").toString(), "--heap", "lots");
        assertEquals(2, heap.code);
        assertTrue(heap.err.contains("--heap"), heap.err);
        Run help = run("--help");
        assertEquals(0, help.code);
        assertTrue(help.out.contains("--warmup N"), help.out);
    }

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = TrainStepBench.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
