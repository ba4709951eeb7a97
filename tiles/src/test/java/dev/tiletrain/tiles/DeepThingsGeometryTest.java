package dev.tiletrain.tiles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.model.ModelBuilder;
import dev.tiletrain.ops.net.Network;
import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** FTP geometry on the shipped YOLOv2 cfg against the figures DeepThings' formulas give. */
class DeepThingsGeometryTest {
    static Network yolov2(int size) throws Exception {
        return ModelBuilder.build(CfgParser.parse(ConfFiles.of("yolov2-voc.cfg")), BatchNorm.Mode.SYNC, 1,
                new Shape(3, size, size)).network();
    }

    @Test
    void yolov2At608OnFiveByFiveTilesReadsDeepThingsInputWidths() throws Exception {
        TrainingPlan plan = TrainingPlan.of(yolov2(608), Grouping.single(15), new Grid(5, 5));
        FusedGroup g = plan.group(0);
        int[] widths = new int[5];
        for (int col = 0; col < 5; col++) {
            widths[col] = g.input(col).width();
        }
        assertArrayEquals(new int[] {187, 246, 246, 246, 155}, widths);
        // The owned output tiles of layer 15 (38×38): ceil(38/5) = 8 wide, the last takes 6.
        assertEquals(new Rect(0, 0, 7, 7), g.ownedOutput(0));
        assertEquals(new Rect(32, 32, 37, 37), g.ownedOutput(24));
    }

    @Test
    void tilingPastARouteNamesTheBlock() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingPlan.of(yolov2(416), Grouping.single(26), new Grid(2, 2)));
        assertTrue(e.getMessage().contains("block 25 [route] cannot be tiled"), e.getMessage());
    }

    @Test
    void aGridTooFineSaysTheLargestThatWorks() throws Exception {
        // Layer 15 at 416 is 26×26: 13 columns leave the last empty (12·2 = 24 < 25 fits; 14 do not).
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingPlan.of(yolov2(416), Grouping.single(15), new Grid(1, 14)));
        assertTrue(e.getMessage().contains("at most 13 columns"), e.getMessage());
    }
}
