package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What tiling relies on, for one tileable layer and one output rectangle r: forward from an input that
 * covers only {@code inputRegion(r)} (or any larger rectangle) equals the whole-map forward cropped to r;
 * and the backward of a dy over r gives the whole-map backward of that dy extended by zeros: the same
 * parameter gradients, the same dx over inputRegion(r) (or over the larger input's rectangle), and a
 * whole-map dx that is exactly 0 outside inputRegion(r). Tolerance: outputs and dx element by element {@code |tile − whole| ≤ 1e-5·max(1, |whole|)};
 * a parameter gradient sums over all positions, in an order that differs between tile and whole map (GEMM
 * blocking over the positions), so its rounding scales with its largest element:
 * {@code |tile − whole| ≤ 1e-5·max(1, max|whole|)}.
 */
public final class InputRegionCheck {
    public static final double TOLERANCE = 1e-5;

    private final Layer layer;
    private final int batch;
    private final Random random;

    public InputRegionCheck(Layer layer, int batch, long seed) {
        this.layer = layer;
        this.batch = batch;
        this.random = new Random(seed);
    }

    /** {@code count} random rectangles of the output map, each corner on the border a third of the time. */
    public List<Rect> randomRects(int count) {
        Shape s = layer.outputShape();
        List<Rect> rects = new ArrayList<>(List.of(s.full()));
        for (int i = 0; i < count; i++) {
            int[] xs = span(s.w()), ys = span(s.h());
            rects.add(new Rect(xs[0], ys[0], xs[1], ys[1]));
        }
        return rects;
    }

    private int[] span(int length) {
        int a = random.nextInt(3) == 0 ? 0 : random.nextInt(length);
        int b = random.nextInt(3) == 0 ? length - 1 : a + random.nextInt(length - a);
        return new int[] {a, b};
    }

    /** Checks forward and backward for output rectangle {@code r}. */
    public void run(Rect r) {
        Tensor x = random(batch, layer.inputShape().c(), layer.inputShape().full());
        Rect need = layer.inputRegion(r);
        Tensor whole = layer.forward(x, layer.outputShape().full(), new WholeMapPass(true, 7));

        Tensor tileX = x.crop(need);
        Pass tilePass = new WholeMapPass(true, 7);
        Tensor tile = layer.forward(tileX, r, tilePass);
        assertClose(whole.crop(r), tile, "forward over " + r + " from " + need);
        Tensor wider = x.crop(widen(need, layer.inputShape()));
        Tensor fromWider = layer.forward(wider, r, new WholeMapPass(true, 7));
        assertClose(whole.crop(r), fromWider, "forward over " + r + " from " + wider.rect);

        Tensor dy = random(batch, whole.c, r);
        Tensor tileDx = layer.backward(tileX, tile, dy, tilePass);
        Tensor wholeDy = Tensor.zeros(batch, whole.c, whole.rect);
        wholeDy.copyOverlap(dy);
        WholeMapPass wholePass = new WholeMapPass(true, 7);
        Tensor wholeDx = layer.backward(x, whole, wholeDy, wholePass);

        assertEquals(need, tileDx.rect);
        assertClose(wholeDx.crop(need), tileDx, "dx of dy over " + r);
        assertClose(wholeDx.crop(wider.rect), layer.backward(wider, fromWider, dy, new WholeMapPass(true, 7)),
                "dx over " + wider.rect + " of dy over " + r);
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < x.c; ch++) {
                for (int yy = 0; yy < x.h(); yy++) {
                    for (int xx = 0; xx < x.w(); xx++) {
                        if (!need.contains(xx, yy) && wholeDx.get(b, ch, yy, xx) != 0) {
                            fail(layer.describe() + ": dy over " + r + " reaches dx at (" + xx + "," + yy
                                    + ") outside " + need);
                        }
                    }
                }
            }
        }
        for (Param p : layer.params()) {
            if (p.role.trainable) {
                float[] expected = wholePass.grad(p);
                float largest = 1;
                for (float v : expected) {
                    largest = Math.max(largest, Math.abs(v));
                }
                assertClose(expected, tilePass.grad(p), largest, p + " gradient of dy over " + r);
            }
        }
    }

    /** A random rectangle of the map that holds {@code r}. */
    private Rect widen(Rect r, Shape map) {
        return new Rect(random.nextInt(r.x1() + 1), random.nextInt(r.y1() + 1),
                r.x2() + random.nextInt(map.w() - r.x2()), r.y2() + random.nextInt(map.h() - r.y2()));
    }

    private Tensor random(int n, int c, Rect rect) {
        Tensor t = Tensor.zeros(n, c, rect);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = random.nextFloat() * 2 - 1;
        }
        return t;
    }

    private void assertClose(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.rect, actual.rect, what);
        assertEquals(expected.n, actual.n, what);
        assertEquals(expected.c, actual.c, what);
        assertClose(expected.data, actual.data, 1, what);
    }

    /** Element by element within TOLERANCE·max(scale, |expected|). */
    private void assertClose(float[] expected, float[] actual, float scale, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > TOLERANCE * Math.max(scale, Math.abs(expected[i]))) {
                fail(layer.describe() + ": " + what + ": element " + i + " is " + actual[i]
                        + ", whole map gives " + expected[i]);
            }
        }
    }
}
