package dev.tiletrain.tiles.cli;

import dev.tiletrain.tiles.ConfFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlanCommandTest {
    private static final String PROFILE = "src/test/resources/test-device.properties";

    private record Run(int code, String out, String err) {}

    private static Run plan(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = PlanCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void jsonHasDeepThingsFirstRowWidthsForYolov2At608() {
        Run r = plan("--cfg", ConfFiles.of("yolov2-voc.cfg").toString(), "--input", "608x608", "--tiles", "5x5", "--groups", "0-15",
                "--profile", PROFILE, "--json");
        assertEquals(0, r.code(), r.err());
        // Widths 187, 246, 246, 246, 155 of the layer-0 input regions of the first tile row.
        String[] firstRow = {"[0,0,186,186]", "[69,0,314,186]", "[197,0,442,186]", "[325,0,570,186]", "[453,0,607,186]"};
        for (int col = 0; col < 5; col++) {
            assertTrue(r.out().contains("{\"row\":0,\"col\":" + col + ",\"layers\":[{\"layer\":0,\"input\":" + firstRow[col]),
                    "column " + col + " in " + r.out().substring(0, 400));
        }
        assertTrue(r.out().startsWith("{\"input\":[3,608,608]") && r.out().trim().endsWith("}"));
    }

    @Test
    void autoChoosesAPlanThatFitsAndSaysWhy() {
        Run r = plan("--cfg", ConfFiles.of("yolov2-tiny-voc.cfg").toString(), "--input", "224x224", "--devices", "4", "--profile", PROFILE);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("predicted iteration") && r.out().contains("group 0"), r.out());
        assertTrue(!r.out().contains("DOES NOT FIT"), r.out());
    }

    /**
     * Passes overlap where the job would: 3 tiles on 4 devices leave the driver's device free, and the prediction
     * says what the overlap hides; 4 tiles, or one pass, hide nothing.
     */
    @Test
    void twoPassesOverlapWhenTheDriversDeviceRunsNoTile() {
        String[] common = {"--cfg", ConfFiles.of("yolov2-tiny-voc.cfg").toString(), "--input", "224x224", "--devices", "4",
                "--groups", "0-1", "--profile", PROFILE};
        Run free = plan(concat(common, "--tiles", "3x1", "--passes", "2"));
        assertEquals(0, free.code(), free.err());
        assertTrue(free.out().contains("batch 1 per pass, 2 passes") && free.out().contains("hidden by overlapped passes"),
                free.out());
        Run beside = plan(concat(common, "--tiles", "2x2", "--passes", "2"));
        assertEquals(0, beside.code(), beside.err());
        assertTrue(!beside.out().contains("hidden by overlapped passes"), beside.out());
        Run one = plan(concat(common, "--tiles", "3x1", "--json"));
        assertTrue(one.out().contains("\"overlapSeconds\":0.0,"), one.out());
    }

    private static String[] concat(String[] a, String... b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).toArray(String[]::new);
    }

    @Test
    void badInputIsAClearErrorWithExitTwo() {
        Run r = plan("--cfg", ConfFiles.of("yolov2-voc.cfg").toString(), "--tiles", "5x5", "--groups", "0-26", "--profile", PROFILE);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("block 25 [route] cannot be tiled"), r.err());
        assertEquals(2, plan("--cfg", ConfFiles.of("yolov2-voc.cfg").toString(), "--input", "608").code());
    }
}
