package dev.tiletrain.ops.layers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class UntiledLayerTest {
    static Stream<UntiledLayer> layers() {
        Shape s = new Shape(4, 4, 6);
        return Stream.of(new AvgPool(s), new Reorg(s, 2), new Connected(s, 3), new Softmax(s, 2, 1f), new Cost(s, 1f));
    }

    @ParameterizedTest
    @MethodSource("layers")
    void hasNoInputRegionAndRunsOnWholeMapsOnly(UntiledLayer layer) {
        assertFalse(layer.tileable());
        Rect out = layer.outputShape().full();
        assertThrows(UnsupportedOperationException.class, () -> layer.inputRegion(out));
        Tensor part = Tensor.zeros(1, layer.inputShape().c(), new Rect(0, 0, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> layer.forward(part, out, new WholeMapPass(true, 0)));
        Tensor whole = Tensor.zeros(1, layer.inputShape());
        Rect corner = new Rect(0, 0, 0, 0);
        if (!corner.equals(out)) {
            assertThrows(IllegalArgumentException.class, () -> layer.forward(whole, corner, new WholeMapPass(true, 0)));
        }
    }
}
