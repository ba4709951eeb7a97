package dev.tiletrain.job.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A metrics CSV file read by column name, so that files with more, fewer or reordered columns (an older or
 * newer writer) still read: a missing column or an empty cell is simply absent. Fields may be quoted with
 * {@code "}, a doubled quote inside standing for one. A last line without its newline (a file being
 * written) is left out.
 */
public record CsvTable(List<String> columns, List<Map<String, String>> rows) {
    public CsvTable {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }

    public static CsvTable read(FileSystem fs, Path file) throws IOException {
        String text;
        try (var in = fs.open(file)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int end = text.lastIndexOf('\n');
        List<String> lines = end < 0 ? List.of() : text.substring(0, end).lines().toList();
        if (lines.isEmpty()) {
            return new CsvTable(List.of(), List.of());
        }
        List<String> columns = fields(lines.get(0));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> f = fields(line);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < Math.min(f.size(), columns.size()); i++) {
                if (!f.get(i).isEmpty()) {
                    row.put(columns.get(i), f.get(i));
                }
            }
            rows.add(row);
        }
        return new CsvTable(columns, rows);
    }

    /** A cell as a number, absent when the column or the value is missing or not a number. */
    public static OptionalDouble number(Map<String, String> row, String column) {
        String v = row.get(column);
        if (v == null) {
            return OptionalDouble.empty();
        }
        try {
            return OptionalDouble.of(Double.parseDouble(v));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out;
    }
}
