package dev.tiletrain.job.checkpoint;

import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.WeightsHeader;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Weights files named as Darknet's {@code train_detector} names them in its backup directory, so that Darknet
 * and DeepThings load them directly: {@code <cfg>_<iteration>.weights} and {@code <cfg>_last.weights} at each
 * checkpoint, {@code <cfg>_final.weights} at the end, where {@code <cfg>} is Darknet's {@code basecfg}: the cfg
 * file's name up to its first dot. Each is written through the Hadoop FileSystem as a {@link ReplacedFile}.
 */
public final class DarknetCheckpoints {
    private DarknetCheckpoints() {}

    /** Darknet's {@code basecfg}: {@code conf/yolov2-tiny-voc.cfg} → {@code yolov2-tiny-voc}. */
    public static String base(String cfg) {
        String name = cfg.substring(cfg.lastIndexOf('/') + 1);
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** Writes {@code <cfg>_<iteration>.weights} and {@code <cfg>_last.weights}; returns the first. */
    public static Path writeIteration(FileSystem fs, Path dir, long iteration, long seen, Model model)
            throws IOException {
        Path numbered = write(fs, dir, iteration + "", seen, model);
        write(fs, dir, "last", seen, model);
        return numbered;
    }

    /** Writes {@code <cfg>_final.weights}; returns it. */
    public static Path writeFinal(FileSystem fs, Path dir, long seen, Model model) throws IOException {
        return write(fs, dir, "final", seen, model);
    }

    private static Path write(FileSystem fs, Path dir, String suffix, long seen, Model model) throws IOException {
        Path file = new Path(dir, base(model.name()) + "_" + suffix + ".weights");
        ReplacedFile.write(fs, file, out -> DarknetWeights.write(out, WeightsHeader.darknet(seen), model.sections()));
        return file;
    }
}
