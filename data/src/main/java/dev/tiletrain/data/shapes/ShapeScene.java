package dev.tiletrain.data.shapes;

import dev.tiletrain.data.LabelBox;
import dev.tiletrain.data.Rng;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * One synthetic detection image: a muted gradient background with clutter (thin lines, small dots), and one to
 * five saturated shapes of random kind, size, aspect, position and colour. Shapes may overlap, but each keeps
 * most of its area visible, so that every label is verifiable by eye. The colour says nothing about the class;
 * only the outline does. A pure function of (seed, index).
 */
public record ShapeScene(BufferedImage image, List<LabelBox> boxes) {
    private static final int MAX_OBJECTS = 5;
    /** A new shape may cover at most this much of an earlier one (and vice versa). */
    private static final double MAX_OVERLAP = .3;

    public static ShapeScene generate(long seed, int index, int size, int classes) {
        if (classes < 1 || classes > ShapeKind.values().length) {
            throw new IllegalArgumentException("classes must be in 1.." + ShapeKind.values().length + ", got " + classes);
        }
        Rng rng = Rng.of(seed, index);
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            background(g, rng, size);
            clutter(g, rng, size);
            return new ShapeScene(image, objects(g, rng, size, classes));
        } finally {
            g.dispose();
        }
    }

    private static void background(Graphics2D g, Rng rng, int size) {
        g.setPaint(new GradientPaint(rng.nextFloat() * size, rng.nextFloat() * size, muted(rng),
                rng.nextFloat() * size, rng.nextFloat() * size, muted(rng)));
        g.fillRect(0, 0, size, size);
    }

    private static void clutter(Graphics2D g, Rng rng, int size) {
        int items = 10 + rng.below(30);
        for (int i = 0; i < items; i++) {
            g.setColor(rng.below(2) == 0 ? muted(rng) : vivid(rng));
            if (rng.below(2) == 0) {
                g.setStroke(new BasicStroke(1 + rng.nextFloat()));
                g.draw(new Line2D.Float(rng.nextFloat() * size, rng.nextFloat() * size, rng.nextFloat() * size,
                        rng.nextFloat() * size));
            } else {
                float r = (.004f + rng.nextFloat() * .01f) * size;
                g.fill(new Ellipse2D.Float(rng.nextFloat() * size - r, rng.nextFloat() * size - r, 2 * r, 2 * r));
            }
        }
    }

    private static List<LabelBox> objects(Graphics2D g, Rng rng, int size, int classes) {
        int count = 1 + rng.below(MAX_OBJECTS);
        List<int[]> placed = new ArrayList<>();
        List<LabelBox> boxes = new ArrayList<>();
        for (int attempt = 0; placed.size() < count && attempt < 30 * count; attempt++) {
            int w = Math.max(4, Math.round(size * (.1f + rng.nextFloat() * .35f)));
            int h = Math.max(4, Math.min(Math.round(w * (.6f + rng.nextFloat())), Math.round(size * .6f)));
            int x = rng.below(size - w + 1), y = rng.below(size - h + 1);
            int[] box = {x, y, w, h};
            ShapeKind kind = ShapeKind.values()[rng.below(classes)];
            Color color = vivid(rng);
            if (placed.stream().anyMatch(p -> overlap(p, box) > MAX_OVERLAP * Math.min(p[2] * p[3], w * h))) {
                continue;
            }
            placed.add(box);
            g.setColor(color);
            g.fill(kind.outline(x, y, w, h));
            boxes.add(new LabelBox((x + w / 2f) / size, (y + h / 2f) / size, (float) w / size, (float) h / size, kind.ordinal()));
        }
        return List.copyOf(boxes);
    }

    private static long overlap(int[] a, int[] b) {
        long w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
        long h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
        return w > 0 && h > 0 ? w * h : 0;
    }

    private static Color muted(Rng rng) {
        return Color.getHSBColor(rng.nextFloat(), rng.nextFloat() * .35f, .25f + rng.nextFloat() * .6f);
    }

    private static Color vivid(Rng rng) {
        return Color.getHSBColor(rng.nextFloat(), .6f + rng.nextFloat() * .4f, .55f + rng.nextFloat() * .45f);
    }
}
