package dev.tiletrain.data;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * Every image of a dataset and its labels, read the way training will read them, and counted. With
 * {@link OnError#FAIL} the first problem is thrown (naming file and line); with {@link OnError#SKIP} the
 * problem images are left out of {@link #usable()}, each listed once in {@link #problems()}.
 *
 * @param boxesPerClass boxes per class id over the usable images
 * @param imagesWithoutBoxes usable images with no box (an empty or a missing label file)
 * @param missingLabelFiles usable images without a label file (allowed: images without objects)
 * @param clippedLabelFiles label files with boxes reaching outside the image (clipped, one entry per file)
 */
public record DatasetCheck(int images, List<Path> usable, int[] boxesPerClass, int imagesWithoutBoxes,
                           int missingLabelFiles, List<Path> clippedLabelFiles, List<Problem> problems) {

    public static DatasetCheck of(HadoopFiles files, Dataset dataset, OnError onError) {
        List<Path> usable = new ArrayList<>();
        int[] boxes = new int[dataset.classes()];
        int withoutBoxes = 0, missing = 0;
        List<Path> clipped = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (Path image : dataset.images()) {
            ImageCheck check = ImageCheck.of(files, image, dataset.classes());
            if (!check.usable()) {
                if (onError == OnError.FAIL) {
                    throw new DataException(check.problem());
                }
                problems.add(check.problem());
                continue;
            }
            usable.add(image);
            LabelFile labels = check.labels();
            for (LabelBox b : labels.boxes()) {
                boxes[b.cls()]++;
            }
            withoutBoxes += labels.boxes().isEmpty() ? 1 : 0;
            missing += labels.present() ? 0 : 1;
            if (labels.clipped()) {
                clipped.add(labels.path());
            }
        }
        return new DatasetCheck(dataset.size(), List.copyOf(usable), boxes, withoutBoxes, missing, List.copyOf(clipped),
                List.copyOf(problems));
    }

    public int boxes() {
        int n = 0;
        for (int b : boxesPerClass) {
            n += b;
        }
        return n;
    }
}
