package dev.tiletrain.data;

import dev.tiletrain.ops.layers.Truth;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.Path;

/**
 * The boxes of an iteration's batch, moved with the images exactly as {@link TileCrop} moves the pixels, in
 * Darknet's {@code net.truth} layout. It reads label files and image headers only, never pixels.
 */
public final class BatchTruth {
    private static final System.Logger LOG = System.getLogger(BatchTruth.class.getName());

    private final HadoopFiles files;
    private final BatchSchedule schedule;
    private final Set<Path> warned = ConcurrentHashMap.newKeySet();

    public BatchTruth(HadoopFiles files, BatchSchedule schedule) {
        this.files = files;
        this.schedule = schedule;
    }

    public Truth truth(long iteration) {
        float[] values = new float[schedule.batch() * TruthBoxes.VALUES];
        for (int slot = 0; slot < schedule.batch(); slot++) {
            Sample s = schedule.sample(iteration, slot);
            Path image = schedule.dataset().images().get(s.image());
            int w, h;
            try (ImageFile file = ImageFile.open(files, image)) {
                w = file.width();
                h = file.height();
            }
            LabelFile labels = LabelFile.read(files, LabelPath.of(image), schedule.dataset().classes());
            if (labels.clipped() && warned.add(labels.path())) {
                LOG.log(System.Logger.Level.WARNING, "{0}: boxes outside the image, clipped to it", labels.path());
            }
            TruthBoxes.fill(labels.boxes(), schedule.transform(s, w, h), schedule.boxOrder(s), values, slot * TruthBoxes.VALUES);
        }
        return new Truth(TruthBoxes.VALUES, values);
    }
}
