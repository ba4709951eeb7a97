package dev.tiletrain.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;

/**
 * An image's YOLO label file: lines {@code class cx cy w h}, normalized. A missing file is an image without
 * objects ({@code present} false). Boxes reaching outside the image are clipped to it and {@code clipped} tells
 * the caller to warn once for the file; a box entirely outside is dropped. (Darknet clips only later, to the
 * network canvas in {@code correct_boxes}, where a box may then cover the grey fill; clipping to the image
 * first keeps boxes on pixels and changes nothing for boxes inside the image.)
 */
public record LabelFile(Path path, boolean present, List<LabelBox> boxes, boolean clipped) {
    private static final System.Logger LOG = System.getLogger(LabelFile.class.getName());
    /** Edges this far outside [0,1] are rounding in the tool that wrote the file: clipped, not warned about. */
    private static final float ROUNDING = 1e-5f;

    public static LabelFile read(HadoopFiles files, Path path, int classes) {
        Optional<List<String>> lines = files.linesIfExists(path);
        if (lines.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, "no label file {0}: an image without objects", path);
            return new LabelFile(path, false, List.of(), false);
        }
        List<LabelBox> boxes = new ArrayList<>();
        boolean clipped = false;
        for (int i = 0; i < lines.get().size(); i++) {
            String line = lines.get().get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            LabelBox box = parse(path, i + 1, line, classes);
            LabelBox inside = clip(box);
            clipped |= inside != box && outside(box) > ROUNDING;
            if (inside != null) {
                boxes.add(inside);
            }
        }
        return new LabelFile(path, true, List.copyOf(boxes), clipped);
    }

    private static LabelBox parse(Path path, int line, String text, int classes) {
        String[] f = text.split("\\s+");
        if (f.length != 5) {
            throw new DataException(path, line, "expected 'class x y w h', got '" + text + "'");
        }
        int cls;
        float[] v = new float[4];
        try {
            cls = Integer.parseInt(f[0]);
            for (int k = 0; k < 4; k++) {
                v[k] = Float.parseFloat(f[k + 1]);
            }
        } catch (NumberFormatException e) {
            throw new DataException(path, line, "expected an integer class and four numbers, got '" + text + "'");
        }
        for (int k = 0; k < 4; k++) {
            if (!Float.isFinite(v[k])) {
                // Java reads "NaN", "Infinity" and 1e39 (beyond float) as numbers; a box needs finite ones.
                throw new DataException(path, line, "box " + "xywh".charAt(k) + " is " + f[k + 1] + ", not a finite number");
            }
        }
        if (cls < 0 || cls >= classes) {
            throw new DataException(path, line, "class id " + cls + " is not in 0.." + (classes - 1) + " (classes=" + classes + ")");
        }
        if (v[2] <= 0 || v[3] <= 0) {
            throw new DataException(path, line, "box width and height must be positive, got '" + text + "'");
        }
        return new LabelBox(v[0], v[1], v[2], v[3], cls);
    }

    /** The box itself when inside [0,1]², its clipped copy otherwise, or null when nothing of it is inside. */
    private static LabelBox clip(LabelBox b) {
        if (outside(b) == 0) {
            return b;
        }
        float left = Math.max(0, b.x() - b.w() / 2), right = Math.min(1, b.x() + b.w() / 2);
        float top = Math.max(0, b.y() - b.h() / 2), bottom = Math.min(1, b.y() + b.h() / 2);
        if (right <= left || bottom <= top) {
            return null;
        }
        return new LabelBox((left + right) / 2, (top + bottom) / 2, right - left, bottom - top, b.cls());
    }

    /** How far the box's farthest edge lies outside [0,1]. */
    private static float outside(LabelBox b) {
        float left = b.x() - b.w() / 2, right = b.x() + b.w() / 2, top = b.y() - b.h() / 2, bottom = b.y() + b.h() / 2;
        return Math.max(Math.max(Math.max(-left, right - 1), Math.max(-top, bottom - 1)), 0);
    }
}
