package dev.tiletrain.data;

import java.util.List;
import org.apache.hadoop.fs.Path;

/** The images of one list (train or valid) with the class count and names of its {@code .data} file. */
public record Dataset(List<Path> images, int classes, List<String> names) {
    public Dataset {
        images = List.copyOf(images);
        names = List.copyOf(names);
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a dataset needs at least one image");
        }
        if (names.size() != classes) {
            throw new IllegalArgumentException(names.size() + " names for " + classes + " classes");
        }
    }

    public static Dataset train(HadoopFiles files, DataFile data) {
        return new Dataset(ImageList.read(files, data.train()), data.classes(), data.classNames(files));
    }

    public static Dataset valid(HadoopFiles files, DataFile data) {
        if (data.valid() == null) {
            throw new DataException(data.path(), "no valid= key");
        }
        return new Dataset(ImageList.read(files, data.valid()), data.classes(), data.classNames(files));
    }

    public int size() {
        return images.size();
    }

    /** The same classes over other images (e.g. those a check left in). */
    public Dataset withImages(List<Path> kept) {
        return new Dataset(kept, classes, names);
    }
}
