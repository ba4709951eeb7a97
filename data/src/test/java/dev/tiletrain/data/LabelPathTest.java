package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.hadoop.fs.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelPathTest {
    @ParameterizedTest
    @CsvSource({
            "/data/images/a.jpg, /data/labels/a.txt",
            "/VOC2007/JPEGImages/000001.jpg, /VOC2007/labels/000001.txt",
            "hdfs://nn:8020/sets/images/x.png, hdfs://nn:8020/sets/labels/x.txt",
            "file:/tmp/images/y.JPEG, file:/tmp/labels/y.txt",
            // Darknet's find_replace replaces the first occurrence only
            "/images/b/images/c.jpg, /labels/b/images/c.txt",
            "/v1.2/images/noext, /v1.2/labels/noext.txt",
            "/myimages/d.jpg, /mylabels/d.txt",
    })
    void followsDarknetsRule(String image, String label) {
        assertEquals(new Path(label), LabelPath.of(new Path(image)));
    }
}
