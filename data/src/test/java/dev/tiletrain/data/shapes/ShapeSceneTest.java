package dev.tiletrain.data.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.data.LabelBox;
import java.awt.geom.Rectangle2D;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The synthetic labels are exact: every outline spans its box, and scenes keep objects apart enough to see. */
class ShapeSceneTest {
    @ParameterizedTest
    @EnumSource(ShapeKind.class)
    void everyOutlineSpansExactlyItsBox(ShapeKind kind) {
        Rectangle2D bounds = kind.outline(10, 20, 37, 23).getBounds2D();
        assertEquals(10, bounds.getMinX(), 1e-9);
        assertEquals(20, bounds.getMinY(), 1e-9);
        assertEquals(47, bounds.getMaxX(), 1e-9);
        assertEquals(43, bounds.getMaxY(), 1e-9);
    }

    @Test
    void scenesHaveOneToFiveObjectsInsideTheImageMostlyUncovered() {
        for (int i = 0; i < 200; i++) {
            ShapeScene scene = ShapeScene.generate(3, i, 128, 4);
            List<LabelBox> boxes = scene.boxes();
            assertTrue(boxes.size() >= 1 && boxes.size() <= 5, boxes.toString());
            for (LabelBox b : boxes) {
                assertTrue(b.cls() >= 0 && b.cls() < 4);
                assertTrue(b.x() - b.w() / 2 >= 0 && b.x() + b.w() / 2 <= 1 && b.y() - b.h() / 2 >= 0 && b.y() + b.h() / 2 <= 1);
            }
            for (int p = 0; p < boxes.size(); p++) {
                for (int q = p + 1; q < boxes.size(); q++) {
                    LabelBox a = boxes.get(p), b = boxes.get(q);
                    double w = Math.min(a.x() + a.w() / 2, b.x() + b.w() / 2) - Math.max(a.x() - a.w() / 2, b.x() - b.w() / 2);
                    double h = Math.min(a.y() + a.h() / 2, b.y() + b.h() / 2) - Math.max(a.y() - a.h() / 2, b.y() - b.h() / 2);
                    double overlap = w > 0 && h > 0 ? w * h : 0;
                    assertTrue(overlap <= .3 * Math.min(a.w() * a.h(), b.w() * b.h()) + 1e-6, a + " and " + b);
                }
            }
        }
    }

    @Test
    void classCountMustFitTheKinds() {
        assertThrows(IllegalArgumentException.class, () -> ShapeScene.generate(1, 0, 64, 0));
        assertThrows(IllegalArgumentException.class, () -> ShapeScene.generate(1, 0, 64, ShapeKind.values().length + 1));
    }
}
