package dev.tiletrain.ops.cfg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class EditDistanceTest {
    @Test
    void levenshtein() {
        assertEquals(0, EditDistance.between("tiles", "tiles"));
        assertEquals(1, EditDistance.between("tile", "tiles"));
        assertEquals(1, EditDistance.between("tyles", "tiles"));
        assertEquals(3, EditDistance.between("kitten", "sitting"));
        assertEquals(5, EditDistance.between("", "tiles"));
    }

    @Test
    void theNearestIgnoresCaseAndTakesTheFirstOfATie() {
        assertEquals("stride", EditDistance.nearest("strde", List.of("size", "stride", "filters")));
        assertEquals("batchnorm", EditDistance.nearest("BatchNorm", List.of("batch", "batchnorm")));
        assertEquals("ab", EditDistance.nearest("a", List.of("ab", "ac")));
    }
}
