package dev.tiletrain.job.detect;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The picture Darknet's {@code detector test} saves as {@code predictions.png}: the image with each detection's
 * box in its class colour ({@code get_color}), {@code .006} of the image height thick (at least one pixel), and
 * its label on a bar of the same colour above the box's top left corner.
 */
public final class PredictionsImage {
    /** Darknet's colour ramp (image.c's {@code colors}): magenta, blue, cyan, green, yellow, red. */
    private static final float[][] COLORS = {{1, 0, 1}, {0, 0, 1}, {0, 1, 1}, {0, 1, 0}, {1, 1, 0}, {1, 0, 0}};

    private PredictionsImage() {}

    /** A copy of {@code image} in RGB with the boxes drawn on it. */
    public static BufferedImage draw(BufferedImage image, List<LabelledBox> boxes, List<String> names, int classes) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(image, 0, 0, null);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            int h = image.getHeight();
            int width = Math.max(1, (int) (h * .006));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, Math.round(h * .03f))));
            FontMetrics metrics = g.getFontMetrics();
            for (LabelledBox b : boxes) {
                Color color = color(b.classes().get(0), classes);
                g.setColor(color);
                g.setStroke(new BasicStroke(width));
                g.drawRect(b.left(), b.top(), b.right() - b.left(), b.bottom() - b.top());
                String label = b.label(names);
                int barWidth = metrics.stringWidth(label) + 4, barHeight = metrics.getHeight();
                // Above the box, moved left or down where the image ends.
                int barLeft = Math.max(0, Math.min(b.left(), image.getWidth() - barWidth));
                int barTop = Math.max(0, b.top() - barHeight);
                g.fillRect(barLeft, barTop, barWidth, barHeight);
                g.setColor(Color.BLACK);
                g.drawString(label, barLeft + 2, barTop + metrics.getAscent());
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Darknet's colour of class {@code c} of {@code classes}: {@code offset = c·123457 % classes} on the ramp. */
    static Color color(int c, int classes) {
        int offset = c * 123457 % classes;
        return new Color(channel(2, offset, classes), channel(1, offset, classes), channel(0, offset, classes));
    }

    /** {@code get_color(c, x, max)}; Darknet passes c = 2 for red, 1 for green, 0 for blue. */
    private static float channel(int c, int x, int max) {
        float ratio = ((float) x / max) * 5;
        int i = (int) Math.floor(ratio), j = (int) Math.ceil(ratio);
        ratio -= i;
        return (1 - ratio) * COLORS[i][c] + ratio * COLORS[j][c];
    }
}
