package dev.tiletrain.data;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Tensor;
import org.apache.hadoop.fs.Path;

/**
 * The pixels of one rectangle of an iteration's preprocessed batch: what a tile of the first layer group reads
 * as its input region. Each image is opened, only the original pixels the rectangle needs are decoded, its
 * crop is rendered, and it is dropped before the next: never more than one decoded image at a time. The whole
 * batch is the crop of the full network rectangle.
 */
public final class TileCrop {
    private final HadoopFiles files;
    private final BatchSchedule schedule;

    public TileCrop(HadoopFiles files, BatchSchedule schedule) {
        this.files = files;
        this.schedule = schedule;
    }

    /** A tensor of {@code batch × 3} over {@code rect} (which must lie inside the network input). */
    public Tensor crop(long iteration, Rect rect) {
        Rect full = new Rect(0, 0, schedule.width() - 1, schedule.height() - 1);
        if (!full.contains(rect)) {
            throw new IllegalArgumentException(rect + " is not inside the network input " + full);
        }
        Tensor out = Tensor.zeros(schedule.batch(), 3, rect);
        for (int slot = 0; slot < schedule.batch(); slot++) {
            render(schedule.sample(iteration, slot), rect, out.data, slot * out.imageSize());
        }
        return out;
    }

    /** The whole preprocessed batch of an iteration. */
    public Tensor batch(long iteration) {
        return crop(iteration, new Rect(0, 0, schedule.width() - 1, schedule.height() - 1));
    }

    /** Renders the three planes of {@code rect} of one sample into {@code out} from {@code offset}. */
    public void render(Sample sample, Rect rect, float[] out, int offset) {
        Path path = schedule.dataset().images().get(sample.image());
        try (ImageFile file = ImageFile.open(files, path)) {
            Transform t = schedule.transform(sample, file.width(), file.height());
            Rect source = Preprocess.sourceRegion(t, rect);
            // no source pixels: the rectangle lies in the fill and render() reads nothing from the image
            RgbImage image = source == null ? null : file.read(source);
            Preprocess.render(image, t, rect, out, offset);
        }
    }
}
