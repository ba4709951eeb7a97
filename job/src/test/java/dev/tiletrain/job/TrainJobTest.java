package dev.tiletrain.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tiletrain.data.DataException;
import dev.tiletrain.ops.cfg.CfgException;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** The driver's one line for bad input, also when an executor meets it. */
class TrainJobTest {
    @Test
    void aBadImageMetByAnExecutorIsFoundBehindTheSparkException() {
        SparkConf conf = new SparkConf().setMaster("local[1]").setAppName("bad input").set("spark.ui.enabled", "false");
        SparkException e;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            e = assertThrows(SparkException.class, () -> sc.parallelize(List.of(1)).map(i -> {
                throw new DataException(new Path("file:/data/images/7.jpg"), "the file is empty");
            }).collect());
        }
        assertEquals(Optional.of("file:/data/images/7.jpg: the file is empty"), TrainJob.badInput(e));
        assertEquals(Optional.of("t.cfg:3: no value"), TrainJob.badInput(new CfgException("t.cfg", 3, null, "no value")));
        assertEquals(Optional.empty(), TrainJob.badInput(new IllegalStateException("a bug", new RuntimeException())));
    }
}
