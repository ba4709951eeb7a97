package dev.tiletrain.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * A Darknet {@code .data} file: {@code key=value} lines, {@code #} or {@code ;} comments, read as Darknet's
 * {@code read_data_cfg} does (the first occurrence of a key wins, unknown keys such as {@code backup} are
 * ignored). Relative paths resolve against the {@code .data} file's directory, so that a dataset can be copied
 * anywhere (e.g. into HDFS) as a whole. {@code valid} and {@code names} are optional (null when absent).
 */
public record DataFile(Path path, int classes, Path train, Path valid, Path names) {

    public static DataFile read(HadoopFiles files, Path path) {
        List<String> lines = files.lines(path);
        if (lines.isEmpty()) {
            throw new DataException(path, "the file is empty");
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new DataException(path, i + 1, "expected key=value, got '" + line + "'");
            }
            String key = line.substring(0, eq).trim();
            if (!values.containsKey(key)) {
                values.put(key, line.substring(eq + 1).trim());
                lineOf.put(key, i + 1);
            }
        }
        String classes = values.get("classes");
        if (classes == null) {
            throw new DataException(path, "no classes= key");
        }
        int n;
        try {
            n = Integer.parseInt(classes);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n <= 0) {
            throw new DataException(path, lineOf.get("classes"), "classes must be a positive integer, got '" + classes + "'");
        }
        if (values.get("train") == null || values.get("train").isEmpty()) {
            throw new DataException(path, "no train= key");
        }
        return new DataFile(path, n, resolve(path, values.get("train")), resolve(path, values.get("valid")),
                resolve(path, values.get("names")));
    }

    /** The class names: the {@code names} file's non-blank lines, or {@code class0, class1, ...} without one. */
    public List<String> classNames(HadoopFiles files) {
        if (names == null) {
            return java.util.stream.IntStream.range(0, classes).mapToObj(i -> "class" + i).toList();
        }
        List<String> read = files.lines(names).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (read.size() < classes) {
            throw new DataException(names, "has " + read.size() + " class names, but " + path + " says classes=" + classes);
        }
        return read.subList(0, classes);
    }

    private static Path resolve(Path against, String value) {
        return value == null || value.isEmpty() ? null : new Path(against.getParent(), value);
    }
}
