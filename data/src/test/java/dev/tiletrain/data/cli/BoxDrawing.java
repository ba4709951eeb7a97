package dev.tiletrain.data.cli;

import dev.tiletrain.data.LabelBox;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/** Draws labelled boxes on an image, so that a person can check labels against pixels. */
final class BoxDrawing {
    private static final Color[] COLORS = {Color.RED, Color.GREEN, Color.BLUE, Color.MAGENTA, Color.ORANGE, Color.CYAN,
            Color.YELLOW, Color.PINK};

    private BoxDrawing() {
    }

    static void draw(BufferedImage image, List<LabelBox> boxes, List<String> names) {
        Graphics2D g = image.createGraphics();
        try {
            g.setStroke(new BasicStroke(2));
            for (LabelBox b : boxes) {
                int x = Math.round((b.x() - b.w() / 2) * image.getWidth()), y = Math.round((b.y() - b.h() / 2) * image.getHeight());
                int w = Math.round(b.w() * image.getWidth()), h = Math.round(b.h() * image.getHeight());
                Color c = COLORS[b.cls() % COLORS.length];
                g.setColor(Color.BLACK);
                g.drawRect(x - 1, y - 1, w + 2, h + 2);
                g.setColor(c);
                g.drawRect(x, y, w, h);
                label(g, names.get(b.cls()), x + 3, y + 13);
            }
        } finally {
            g.dispose();
        }
    }

    private static void label(Graphics2D g, String text, int x, int y) {
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            g.drawString(text, x, y);
        } catch (RuntimeException | Error e) {
            // a machine without any font: the coloured boxes alone still show the classes
        }
    }
}
