package dev.tiletrain.data;

import dev.tiletrain.ops.tensor.Tensor;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.fs.Path;

/**
 * A SHA-256 of the augmented batches and truths of a few training iterations: the same in every JVM if the
 * augmentation is the pure function of (seed, epoch, iteration, image) it claims to be. Its main prints the
 * digest, for a test to run it in another JVM.
 */
final class BatchDigest {
    private BatchDigest() {
    }

    static String of(Path data, long seed) throws NoSuchAlgorithmException {
        HadoopFiles files = HadoopFiles.withDefaultConfiguration();
        Dataset train = Dataset.train(files, DataFile.read(files, data));
        BatchSchedule s = BatchSchedule.training(train, new Augmentation(.3f, .1f, 1.5f, 1.5f, true, 52, 44), seed, 5);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (long it = 0; it < 4; it++) {
            Tensor batch = new TileCrop(files, s).batch(it);
            float[] truth = new BatchTruth(files, s).truth(it).values();
            ByteBuffer bytes = ByteBuffer.allocate(4 * (batch.data.length + truth.length));
            bytes.asFloatBuffer().put(batch.data).put(truth);
            sha.update(bytes);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    public static void main(String[] args) throws Exception {
        System.out.println(of(new Path(args[0]), Long.parseLong(args[1])));
    }
}
