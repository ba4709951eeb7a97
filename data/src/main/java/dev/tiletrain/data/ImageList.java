package dev.tiletrain.data;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * A Darknet list file: one image path per line. Relative paths resolve against the list's directory, absolute
 * ones against the list's file system (a full URI keeps its own). Blank lines are ignored.
 */
public final class ImageList {
    private ImageList() {
    }

    public static List<Path> read(HadoopFiles files, Path list) {
        if (!files.exists(list)) {
            throw new DataException(list, "list file does not exist");
        }
        List<Path> images = new ArrayList<>();
        for (String line : files.lines(list)) {
            String entry = line.trim();
            if (!entry.isEmpty()) {
                images.add(new Path(list.getParent(), entry));
            }
        }
        if (images.isEmpty()) {
            throw new DataException(list, "list names no images");
        }
        return images;
    }
}
