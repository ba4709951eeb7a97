package dev.tiletrain.data.cli;

import dev.tiletrain.ops.cli.Arguments;
import dev.tiletrain.ops.cli.UsageException;

import dev.tiletrain.data.DataException;
import dev.tiletrain.data.DataFile;
import dev.tiletrain.data.Dataset;
import dev.tiletrain.data.DatasetCheck;
import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.data.OnError;
import dev.tiletrain.data.Problem;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.Path;

/**
 * {@code tiletrain check-data}: reads every image and label file of a {@code .data} file's train and valid lists
 * the way training will, and prints what it found, before anyone spends cluster time on them.
 */
public final class CheckData {
    private static final String USAGE = """
            Usage: tiletrain check-data --data D.data [--on-error fail|skip]

            Reads every image and label file listed by the .data file's train= and valid= lists exactly as
            training reads them (through Hadoop's FileSystem: file://, hdfs://, ...) and prints the number of
            images, boxes per class, images without boxes and problems.

              --data D.data          the Darknet .data file (classes=, train=, valid=, names=)
              --on-error fail|skip   fail (default): stop at the first problem, naming the file and line, exit 1;
                                     skip: leave problem images out, list them, exit 0
            """;

    private CheckData() {
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args, System.out, System.err));
    }

    /** Reads through the default Hadoop configuration (the local file system unless configured otherwise). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, HadoopFiles.withDefaultConfiguration(), out, err);
    }

    static int run(String[] args, HadoopFiles files, PrintStream out, PrintStream err) {
        Path data;
        OnError onError;
        try {
            Arguments a = Arguments.parse(args, Set.of("data", "on-error"));
            if (a.help()) {
                out.print(USAGE);
                return 0;
            }
            data = new Path(a.required("data"));
            try {
                onError = OnError.parse(a.get("on-error", "fail"), "--on-error");
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        } catch (UsageException e) {
            err.println("check-data: " + e.getMessage());
            err.println("Try 'tiletrain check-data --help'.");
            return 2;
        }
        try {
            DataFile file = DataFile.read(files, data);
            List<String> names = file.classNames(files);
            out.printf("%s: classes=%d (%s)%n", data, file.classes(), String.join(", ", names));
            report(out, "train", file.train(), DatasetCheck.of(files, Dataset.train(files, file), onError), names);
            if (file.valid() != null) {
                report(out, "valid", file.valid(), DatasetCheck.of(files, Dataset.valid(files, file), onError), names);
            } else {
                out.println("valid: no valid= list");
            }
            return 0;
        } catch (DataException e) {
            err.println("check-data: " + e.getMessage());
            return 1;
        }
    }

    private static void report(PrintStream out, String which, Path list, DatasetCheck c, List<String> names) {
        out.printf("%s: %s%n", which, list);
        out.printf("  images: %d listed, %d usable%n", c.images(), c.usable().size());
        StringBuilder perClass = new StringBuilder();
        for (int k = 0; k < names.size(); k++) {
            perClass.append(k == 0 ? "" : ", ").append(names.get(k)).append(' ').append(c.boxesPerClass()[k]);
        }
        out.printf("  boxes: %d (%s)%n", c.boxes(), perClass);
        out.printf("  images without boxes: %d (%d without a label file)%n", c.imagesWithoutBoxes(), c.missingLabelFiles());
        out.printf("  label files with boxes clipped to the image: %d%n", c.clippedLabelFiles().size());
        for (var p : c.clippedLabelFiles()) {
            out.printf("    %s%n", p);
        }
        out.printf("  problems: %d%n", c.problems().size());
        if (!c.problems().isEmpty()) {
            out.println("  left out:");
            for (Problem p : c.problems()) {
                out.printf("    %s%n", p);
            }
        }
    }
}
