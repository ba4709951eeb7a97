package dev.tiletrain.job.train;

import dev.tiletrain.job.checkpoint.Checkpoint;
import dev.tiletrain.job.checkpoint.CheckpointStore;
import dev.tiletrain.job.checkpoint.DarknetCheckpoints;
import dev.tiletrain.job.checkpoint.PartWriter;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.WeightsHeader;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.fs.Path;

/**
 * A training checkpoint's parts: the weights in Darknet's format (rolling statistics included), the
 * optimizer's momentum vector, and the progress (iterations done; the data schedule is a function of it).
 * Beside the checkpoint, the weights also go where Darknet would put them ({@link DarknetCheckpoints}).
 */
public final class TrainCheckpoint {
    public static final String WEIGHTS = "weights";
    public static final String MOMENTUM = "momentum";
    public static final String PROGRESS = "progress";

    private TrainCheckpoint() {}

    /** Where training resumes: after {@code iteration} iterations, with this momentum. */
    public record Restored(long iteration, float[] momentum) {}

    public static Path write(CheckpointStore store, long iteration, long seen, Model model, float[] momentum)
            throws IOException {
        Map<String, PartWriter> parts = new LinkedHashMap<>();
        parts.put(WEIGHTS, out -> DarknetWeights.write(out, WeightsHeader.darknet(seen), model.sections()));
        parts.put(MOMENTUM, out -> {
            DataOutputStream data = new DataOutputStream(out);
            for (float v : momentum) {
                data.writeFloat(v);
            }
            data.flush();
        });
        parts.put(PROGRESS, PartWriter.of(("iteration=" + iteration + "\nseen=" + seen + "\n")
                .getBytes(StandardCharsets.UTF_8)));
        Path dir = store.write(iteration, parts);
        DarknetCheckpoints.writeIteration(store.fileSystem(), store.dir(), iteration, seen, model);
        return dir;
    }

    /** {@code <cfg>_final.weights} beside the checkpoints, for the end of a run; returns it. */
    public static Path writeFinal(CheckpointStore store, long seen, Model model) throws IOException {
        return DarknetCheckpoints.writeFinal(store.fileSystem(), store.dir(), seen, model);
    }

    /** Loads the checkpoint's weights into {@code model} and returns its progress and momentum. */
    public static Restored restore(Checkpoint c, Model model) throws IOException {
        DarknetWeights.read(new ByteArrayInputStream(c.read(WEIGHTS)), c.dir() + "/" + WEIGHTS, model.sections());
        byte[] bytes = c.read(MOMENTUM);
        if (bytes.length != 4L * model.layout().size()) {
            throw new IOException(c.dir() + "/" + MOMENTUM + " holds " + bytes.length / 4 + " floats, the model "
                    + model.layout().size());
        }
        float[] momentum = new float[model.layout().size()];
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        for (int i = 0; i < momentum.length; i++) {
            momentum[i] = in.readFloat();
        }
        Properties progress = new Properties();
        progress.load(new ByteArrayInputStream(c.read(PROGRESS)));
        long iteration = Long.parseLong(progress.getProperty("iteration", "-1"));
        if (iteration != c.iteration()) {
            throw new IOException(c.dir() + "/" + PROGRESS + " says iteration " + iteration + ", the checkpoint "
                    + c.iteration());
        }
        return new Restored(iteration, momentum);
    }
}
