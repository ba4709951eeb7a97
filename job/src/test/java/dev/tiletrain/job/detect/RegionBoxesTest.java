package dev.tiletrain.job.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tiletrain.ops.layers.Box;
import dev.tiletrain.ops.layers.Region;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Darknet's correct_region_boxes and do_nms_sort on hand-worked cases. */
class RegionBoxesTest {
    static Region.Detection det(float x, float y, float w, float h, float objectness, float... probabilities) {
        return new Region.Detection(new Box(x, y, w, h), objectness, probabilities);
    }

    /**
     * A 64×32 image letterboxed into 32×32 fills the middle half of the height (rows 8 to 23): a box over the
     * whole input reaches twice the image's height; one at (.25, .375) of the input is at (.25, .25) of the image.
     */
    @Test
    void correctedUndoesTheLetterbox() {
        List<Region.Detection> in = List.of(det(.5f, .5f, 1, 1, .5f, .5f), det(.25f, .375f, .5f, .25f, .5f, .5f));
        List<Region.Detection> relative = RegionBoxes.corrected(in, 64, 32, 32, 32, true);
        assertEquals(new Box(.5f, .5f, 1, 2), relative.get(0).box());
        assertEquals(new Box(.25f, .25f, .5f, .5f), relative.get(1).box());
        List<Region.Detection> pixels = RegionBoxes.corrected(in, 64, 32, 32, 32, false);
        assertEquals(new Box(32, 16, 64, 64), pixels.get(0).box());
        assertEquals(new Box(16, 8, 32, 16), pixels.get(1).box());
    }

    /**
     * d0 and d1 overlap (IoU .82), d3 is apart, d2 has no objectness. The swap loop makes the order d0, d1, d3
     * (d2 moved to the end); class 0 ranks d0 .72, d1 .64, d3 .3 and d0 takes d1's class 0; class 1 ranks
     * d3 .5, d0 .18, d1 .16 and d0 takes d1's class 1. Darknet's final order is class 1's ranking, then d2.
     */
    @Test
    void nmsSortSuppressesPerClassInDarknetsOrder() {
        Region.Detection d0 = det(.5f, .5f, .2f, .2f, .9f, .72f, .18f), d1 = det(.52f, .5f, .2f, .2f, .8f, .64f, .16f);
        Region.Detection d2 = det(.1f, .1f, .1f, .1f, 0, 0, 0), d3 = det(.1f, .9f, .1f, .1f, .6f, .3f, .5f);
        List<Region.Detection> out = RegionBoxes.nmsSort(List.of(d0, d1, d2, d3), 2, RegionBoxes.NMS);
        assertEquals(List.of(d3.box(), d0.box(), d1.box(), d2.box()), out.stream().map(Region.Detection::box).toList());
        assertArrayEquals(new float[] {.3f, .5f}, out.get(0).probabilities());
        assertArrayEquals(new float[] {.72f, .18f}, out.get(1).probabilities());
        assertArrayEquals(new float[] {0, 0}, out.get(2).probabilities());
        assertArrayEquals(new float[] {.64f, .16f}, d1.probabilities(), "the input is left unchanged");
    }

    /** Two equal boxes with equal probability: the first listed is kept (qsort leaves this open in C). */
    @Test
    void nmsSortKeepsTheFirstOfATie() {
        Region.Detection a = det(.5f, .5f, .2f, .2f, .5f, .5f), b = det(.5f, .5f, .2f, .2f, .5f, .5f);
        List<Region.Detection> out = RegionBoxes.nmsSort(List.of(a, b), 1, RegionBoxes.NMS);
        assertSame(a.box(), out.get(0).box());
        assertArrayEquals(new float[] {.5f}, out.get(0).probabilities());
        assertArrayEquals(new float[] {0}, out.get(1).probabilities());
    }
}
