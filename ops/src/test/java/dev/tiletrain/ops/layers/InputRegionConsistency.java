package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The tiling contract of a tileable layer, checked bit for bit: forward over a rectangle from
 * {@code x.crop(inputRegion(r))} equals the crop of the whole-map forward, and backward from that rectangle
 * equals the whole-map backward of a gradient that is zero outside it.
 */
final class InputRegionConsistency {
    private InputRegionConsistency() {}

    /** Random output rectangles, plus one touching every border and a single corner position. */
    static List<Rect> rectangles(Shape out, Random random, int count) {
        List<Rect> rects = new ArrayList<>(List.of(out.full(), new Rect(out.w() - 1, out.h() - 1, out.w() - 1, out.h() - 1)));
        for (int k = 0; k < count; k++) {
            int x1 = random.nextInt(out.w()), x2 = x1 + random.nextInt(out.w() - x1);
            int y1 = random.nextInt(out.h()), y2 = y1 + random.nextInt(out.h() - y1);
            rects.add(new Rect(x1, y1, x2, y2));
        }
        return rects;
    }

    static void check(Layer layer, Tensor x, Rect r, Pass pass, Random random) {
        Shape out = layer.outputShape();
        Tensor whole = layer.forward(x, out.full(), pass);
        Rect in = layer.inputRegion(r);
        Tensor xr = x.crop(in);
        Tensor tile = layer.forward(xr, r, pass);
        assertEquals(whole.crop(r), tile, layer.describe() + ": forward over " + r + " from input " + in);
        assertEquals(whole.crop(r), layer.forward(x, r, pass), layer.describe() + ": forward over " + r + " from the whole input");

        Tensor dy = Tensor.zeros(x.n, out);
        for (int i = 0; i < dy.data.length; i++) {
            dy.data[i] = random.nextFloat() * 2 - 1;
        }
        Tensor dyInside = Tensor.zeros(x.n, out);
        dyInside.copyOverlap(dy.crop(r));
        Tensor wholeDx = layer.backward(x, whole, dyInside, pass);
        Tensor tileDx = layer.backward(xr, tile, dy.crop(r), pass);
        assertEquals(in, tileDx.rect, layer.describe() + ": backward must cover its input " + in);
        Tensor expected = Tensor.zeros(x.n, layer.inputShape());
        expected.copyOverlap(tileDx);
        assertEquals(wholeDx, expected, layer.describe() + ": backward from " + r + " over input " + in);
    }
}
