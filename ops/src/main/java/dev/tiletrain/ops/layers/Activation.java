package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.tensor.Rect;
import dev.tiletrain.ops.tensor.Shape;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Darknet's activation functions. The backward multiplies by Darknet's gradient formulas, which are
 * written on the output y (leaky: {@code y > 0 ? 1 : 0.1}); they are the true derivative except at kinks.
 * Arithmetic follows Darknet's C, including where it promotes to double ({@code .1*x}).
 */
public final class Activation implements Pointwise {
    /** The functions by their cfg names. Darknet's {@code stair} is left out: it has no usable gradient. */
    public enum Kind {
        LOGISTIC("logistic") {
            public float activate(float x) {
                return (float) (1. / (1. + Math.exp(-x)));
            }

            public float gradient(float y) {
                return (1 - y) * y;
            }
        },
        LOGGY("loggy") {
            public float activate(float x) {
                return (float) (2. / (1. + Math.exp(-x)) - 1);
            }

            public float gradient(float y) {
                float s = (float) ((y + 1.) / 2.);
                return 2 * (1 - s) * s;
            }
        },
        RELU("relu") {
            public float activate(float x) {
                return x > 0 ? x : 0;
            }

            public float gradient(float y) {
                return y > 0 ? 1 : 0;
            }
        },
        ELU("elu") {
            public float activate(float x) {
                return x >= 0 ? x : (float) (Math.exp(x) - 1);
            }

            public float gradient(float y) {
                return y >= 0 ? 1 : y + 1;
            }
        },
        SELU("selu") {
            public float activate(float x) {
                return (float) (x >= 0 ? 1.0507 * x : 1.0507 * 1.6732 * (Math.exp(x) - 1));
            }

            public float gradient(float y) {
                return (float) (y >= 0 ? 1.0507 : y + 1.0507 * 1.6732);
            }
        },
        RELIE("relie") {
            public float activate(float x) {
                return x > 0 ? x : (float) (.01 * x);
            }

            public float gradient(float y) {
                return y > 0 ? 1 : .01f;
            }
        },
        PLSE("plse") {
            public float activate(float x) {
                if (x < -4) {
                    return (float) (.01 * (x + 4));
                }
                if (x > 4) {
                    return (float) (.01 * (x - 4) + 1);
                }
                return (float) (.125 * x + .5);
            }

            public float gradient(float y) {
                return y < 0 || y > 1 ? .01f : .125f;
            }
        },
        HARDTAN("hardtan") {
            public float activate(float x) {
                return x < -1 ? -1 : x > 1 ? 1 : x;
            }

            public float gradient(float y) {
                return y > -1 && y < 1 ? 1 : 0;
            }
        },
        LHTAN("lhtan") {
            public float activate(float x) {
                if (x < 0) {
                    return (float) (.001 * x);
                }
                if (x > 1) {
                    return (float) (.001 * (x - 1) + 1);
                }
                return x;
            }

            public float gradient(float y) {
                return y > 0 && y < 1 ? 1 : .001f;
            }
        },
        LINEAR("linear") {
            public float activate(float x) {
                return x;
            }

            public float gradient(float y) {
                return 1;
            }
        },
        RAMP("ramp") {
            public float activate(float x) {
                return (float) ((x > 0 ? x : 0) + .1 * x);
            }

            public float gradient(float y) {
                return (float) ((y > 0 ? 1 : 0) + .1);
            }
        },
        LEAKY("leaky") {
            public float activate(float x) {
                return x > 0 ? x : (float) (.1 * x);
            }

            public float gradient(float y) {
                return y > 0 ? 1 : .1f;
            }
        },
        TANH("tanh") {
            // Math.tanh, not Darknet's (e^2x − 1)/(e^2x + 1), which is NaN once e^2x overflows.
            public float activate(float x) {
                return (float) Math.tanh(x);
            }

            public float gradient(float y) {
                return 1 - y * y;
            }
        };

        public final String cfgName;

        Kind(String cfgName) {
            this.cfgName = cfgName;
        }

        public abstract float activate(float x);

        /** dy/dx written on the output y, Darknet's form. */
        public abstract float gradient(float y);

        /** The kind a cfg's {@code activation=} value names. */
        public static Kind parse(String cfgName) {
            for (Kind k : values()) {
                if (k.cfgName.equals(cfgName)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown activation '" + cfgName + "', expected one of "
                    + Arrays.stream(values()).map(k -> k.cfgName).collect(Collectors.joining(", ")));
        }
    }

    private final Shape shape;
    private final Kind kind;

    public Activation(Shape shape, Kind kind) {
        this.shape = shape;
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public Tensor forward(Tensor x, Rect out, Pass pass) {
        checkCovers(x, out);
        Tensor y = Tensor.zeros(x.n, shape.c(), out);
        for (int b = 0; b < x.n; b++) {
            for (int ch = 0; ch < shape.c(); ch++) {
                for (int row = out.y1(); row <= out.y2(); row++) {
                    int i = x.index(b, ch, row, out.x1()), o = y.index(b, ch, row, out.x1());
                    for (int k = 0; k < out.width(); k++) {
                        y.data[o + k] = kind.activate(x.data[i + k]);
                    }
                }
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        checkCovers(x, dy.rect);
        if (!y.rect.equals(dy.rect)) {
            throw new IllegalArgumentException(describe() + ": output " + y.rect + " and its gradient " + dy.rect + " differ");
        }
        Tensor dx = Tensor.zeros(x.n, x.c, x.rect);
        Rect r = dy.rect;
        for (int b = 0; b < dy.n; b++) {
            for (int ch = 0; ch < shape.c(); ch++) {
                for (int row = r.y1(); row <= r.y2(); row++) {
                    int o = dy.index(b, ch, row, r.x1()), d = dx.index(b, ch, row, r.x1());
                    for (int k = 0; k < r.width(); k++) {
                        dx.data[d + k] = dy.data[o + k] * kind.gradient(y.data[o + k]);
                    }
                }
            }
        }
        return dx;
    }

    @Override
    public String describe() {
        return "activation " + kind.cfgName;
    }
}
