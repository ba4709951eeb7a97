package dev.tiletrain.data;

import org.apache.hadoop.fs.Path;

/**
 * One image read the way training reads it: the whole image decoded and its label file parsed. Either
 * {@code problem} is null and {@code labels} holds the label file, or the image cannot be used.
 */
public record ImageCheck(Path image, LabelFile labels, Problem problem) {

    public static ImageCheck of(HadoopFiles files, Path image, int classes) {
        try {
            try (ImageFile file = ImageFile.open(files, image)) {
                file.readAll();
            }
            return new ImageCheck(image, LabelFile.read(files, LabelPath.of(image), classes), null);
        } catch (DataException e) {
            return new ImageCheck(image, null, e.problem());
        }
    }

    public boolean usable() {
        return problem == null;
    }
}
