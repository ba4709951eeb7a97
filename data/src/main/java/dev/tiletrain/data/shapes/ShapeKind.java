package dev.tiletrain.data.shapes;

import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.Locale;

/**
 * The object classes of the synthetic set, one per shape kind. Each outline exactly spans the box it is drawn
 * in, so the box is the label. The first {@code classes} kinds are used; the order puts the most distinct first.
 */
public enum ShapeKind {
    RECTANGLE, ELLIPSE, TRIANGLE, CROSS, STAR, RING, DIAMOND, HEXAGON;

    private static final double[][] STAR_POINTS = star();

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The outline filling the box at (x, y) of w × h. */
    public Shape outline(double x, double y, double w, double h) {
        return switch (this) {
            case RECTANGLE -> new Rectangle2D.Double(x, y, w, h);
            case ELLIPSE -> new Ellipse2D.Double(x, y, w, h);
            case TRIANGLE -> polygon(x, y, w, h, new double[][] {{0, 1}, {.5, 0}, {1, 1}});
            case CROSS -> {
                Area a = new Area(new Rectangle2D.Double(x, y + h * .33, w, h * .34));
                a.add(new Area(new Rectangle2D.Double(x + w * .33, y, w * .34, h)));
                yield a;
            }
            case STAR -> polygon(x, y, w, h, STAR_POINTS);
            case RING -> {
                Area a = new Area(new Ellipse2D.Double(x, y, w, h));
                a.subtract(new Area(new Ellipse2D.Double(x + w * .28, y + h * .28, w * .44, h * .44)));
                yield a;
            }
            case DIAMOND -> polygon(x, y, w, h, new double[][] {{.5, 0}, {1, .5}, {.5, 1}, {0, .5}});
            case HEXAGON -> polygon(x, y, w, h, new double[][] {{.25, 0}, {.75, 0}, {1, .5}, {.75, 1}, {.25, 1}, {0, .5}});
        };
    }

    /** A polygon given in unit coordinates whose bounds are exactly [0,1]². */
    private static Shape polygon(double x, double y, double w, double h, double[][] unit) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(x + unit[0][0] * w, y + unit[0][1] * h);
        for (int i = 1; i < unit.length; i++) {
            p.lineTo(x + unit[i][0] * w, y + unit[i][1] * h);
        }
        p.closePath();
        return p;
    }

    /** A five-pointed star, stretched so that its bounds are exactly the unit square. */
    private static double[][] star() {
        double[][] p = new double[10][2];
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            double r = i % 2 == 0 ? 1 : .45, a = StrictMath.PI * i / 5 - StrictMath.PI / 2;
            p[i][0] = r * StrictMath.cos(a);
            p[i][1] = r * StrictMath.sin(a);
            minX = Math.min(minX, p[i][0]);
            maxX = Math.max(maxX, p[i][0]);
            minY = Math.min(minY, p[i][1]);
            maxY = Math.max(maxY, p[i][1]);
        }
        for (double[] q : p) {
            q[0] = (q[0] - minX) / (maxX - minX);
            q[1] = (q[1] - minY) / (maxY - minY);
        }
        return p;
    }
}
