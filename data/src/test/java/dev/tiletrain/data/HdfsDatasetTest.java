package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same dataset read from a real HDFS (a MiniDFSCluster, one datanode) and from file:// gives the same
 * checks, problems (with hdfs:// paths), pixels and truths.
 */
class HdfsDatasetTest {
    @TempDir
    static java.nio.file.Path local;
    @TempDir
    static java.nio.file.Path hdfsBase;
    private static MiniDFSCluster cluster;
    private static HadoopFiles hdfs;
    private static final HadoopFiles FILES = HadoopFiles.withDefaultConfiguration();
    private static Path hdfsData;

    @BeforeAll
    static void startCluster() throws IOException {
        BrokenDataset.write(local);
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, hdfsBase.toString());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        cluster.getFileSystem().copyFromLocalFile(new Path(local.toUri()), new Path("/sets/broken"));
        hdfs = new HadoopFiles(new Configuration());
        hdfsData = new Path(cluster.getURI().toString() + "/sets/broken/" + SampleDataset.DATA);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    private static Dataset localTrain() {
        return Dataset.train(FILES, DataFile.read(FILES, new Path(local.resolve(SampleDataset.DATA).toUri())));
    }

    @Test
    void listsResolveInsideHdfs() {
        Dataset train = Dataset.train(hdfs, DataFile.read(hdfs, hdfsData));
        assertEquals(12, train.size());
        assertEquals(cluster.getURI().toString() + "/sets/broken/images/0.png", train.images().get(0).toString());
        assertEquals(List.of("a", "b", "c"), train.names());
    }

    @Test
    void checkFindsTheSameAsOnLocalFiles() {
        DatasetCheck onHdfs = DatasetCheck.of(hdfs, Dataset.train(hdfs, DataFile.read(hdfs, hdfsData)), OnError.SKIP);
        DatasetCheck onFile = DatasetCheck.of(FILES, localTrain(), OnError.SKIP);
        assertEquals(onFile.usable().size(), onHdfs.usable().size());
        assertArrayEquals(onFile.boxesPerClass(), onHdfs.boxesPerClass());
        assertEquals(onFile.missingLabelFiles(), onHdfs.missingLabelFiles());
        assertEquals(onFile.imagesWithoutBoxes(), onHdfs.imagesWithoutBoxes());
        assertEquals(onFile.problems().size(), onHdfs.problems().size());
        for (int i = 0; i < onFile.problems().size(); i++) {
            Problem h = onHdfs.problems().get(i), f = onFile.problems().get(i);
            assertTrue(h.file().toString().startsWith("hdfs://"), h.toString());
            assertEquals(f.file().getName(), h.file().getName());
            assertEquals(f.line(), h.line());
            assertEquals(f.reason(), h.reason());
        }
        DataException e = assertThrows(DataException.class,
                () -> DatasetCheck.of(hdfs, Dataset.train(hdfs, DataFile.read(hdfs, hdfsData)), OnError.FAIL));
        assertEquals(cluster.getURI() + "/sets/broken/images/text.jpg", e.problem().file().toString());
    }

    @Test
    void pixelsAndTruthEqualThoseReadFromLocalFiles() {
        Dataset onFile = localTrain();
        Dataset onHdfs = Dataset.train(hdfs, DataFile.read(hdfs, hdfsData));
        int usable = BrokenDataset.GOOD + 2;
        onFile = onFile.withImages(onFile.images().subList(0, usable));
        onHdfs = onHdfs.withImages(onHdfs.images().subList(0, usable));
        Augmentation aug = new Augmentation(.25f, .1f, 1.5f, 1.5f, true, 40, 40);
        BatchSchedule fs = BatchSchedule.training(onFile, aug, 21, 4), hs = BatchSchedule.training(onHdfs, aug, 21, 4);
        for (long it = 0; it < 3; it++) {
            Tensor fromHdfs = new TileCrop(hdfs, hs).batch(it);
            assertEquals(new TileCrop(FILES, fs).batch(it), fromHdfs);
            Rect tile = new Rect(13, 0, 39, 20);
            assertEquals(fromHdfs.crop(tile), new TileCrop(hdfs, hs).crop(it, tile));
            assertArrayEquals(new BatchTruth(FILES, fs).truth(it).values(), new BatchTruth(hdfs, hs).truth(it).values());
        }
    }

    @Test
    void missingFilesOnHdfsNameTheirPath() {
        Path list = new Path(cluster.getURI().toString() + "/sets/none.txt");
        assertEquals(list + ": list file does not exist", assertThrows(DataException.class, () -> ImageList.read(hdfs, list)).getMessage());
        Path data = new Path(cluster.getURI().toString() + "/sets/none.data");
        assertEquals(data + ": no such file", assertThrows(DataException.class, () -> DataFile.read(hdfs, data)).getMessage());
        LabelFile none = LabelFile.read(hdfs, new Path(cluster.getURI().toString() + "/sets/broken/labels/4.txt"), 3);
        assertEquals(false, none.present());
    }
}
