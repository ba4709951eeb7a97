package dev.tiletrain.ops.layers;

import dev.tiletrain.ops.parallel.ComputeThreads;
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
    /**
     * The functions by their cfg names; Darknet's {@code stair} is left out, it has no usable gradient.
     * Each kind has its own loops, so that no call sits inside a loop; the loops index every array alike,
     * which C2 (Java 17) needs to vectorize a loop over several arrays; and the hot kinds (leaky, relu) are
     * branch-free, since a branch on the sign of activations mispredicts half the time.
     */
    public enum Kind {
        LOGISTIC("logistic") {
            void forward(float[] x, float[] y, int from, int to) {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = (float) (1. / (1. + Math.exp(-v)));
                }
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * ((1 - t) * t);
                }
            }
        },
        LOGGY("loggy") {
            void forward(float[] x, float[] y, int from, int to) {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = (float) (2. / (1. + Math.exp(-v)) - 1);
                }
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * loggyGradient(t);
                }
            }
        },
        RELU("relu") {
            void forward(float[] x, float[] y, int from, int to) {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = Math.max(v, 0f);
                }
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * positive(t);
                }
            }
        },
        ELU("elu") {
            void forward(float[] x, float[] y, int from, int to) {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = v >= 0 ? v : (float) (Math.exp(v) - 1);
                }
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * (t >= 0 ? 1 : t + 1);
                }
            }
        },
        SELU("selu") {
            void forward(float[] x, float[] y, int from, int to) {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = (float) (v >= 0 ? 1.0507 * v : 1.0507 * 1.6732 * (Math.exp(v) - 1));
                }
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * ((float) (t >= 0 ? 1.0507 : t + 1.0507 * 1.6732));
                }
            }
        },
        RELIE("relie") {
            void forward(float[] x, float[] y, int from, int to) {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = v > 0 ? v : (float) (.01 * v);
                }
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * (t > 0 ? 1 : .01f);
                }
            }
        },
        PLSE("plse") {
            void forward(float[] x, float[] y, int from, int to) {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = plse(v);
                }
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * (t < 0 || t > 1 ? .01f : .125f);
                }
            }
        },
        HARDTAN("hardtan") {
            void forward(float[] x, float[] y, int from, int to) {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = v < -1 ? -1 : v > 1 ? 1 : v;
                }
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * (t > -1 && t < 1 ? 1 : 0);
                }
            }
        },
        LHTAN("lhtan") {
            void forward(float[] x, float[] y, int from, int to) {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = v < 0 ? (float) (.001 * v) : v > 1 ? (float) (.001 * (v - 1) + 1) : v;
                }
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * (t > 0 && t < 1 ? 1 : .001f);
                }
            }
        },
        LINEAR("linear") {
            void forward(float[] x, float[] y, int from, int to) {
                System.arraycopy(x, from, y, from, to - from);
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                System.arraycopy(dy, from, dx, from, to - from);
            }
        },
        RAMP("ramp") {
            void forward(float[] x, float[] y, int from, int to) {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = (float) ((v > 0 ? v : 0) + .1 * v);
                }
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * ((float) ((t > 0 ? 1 : 0) + .1));
                }
            }
        },
        LEAKY("leaky") {
            // max(x, 0.1f·x) rather than Darknet's x > 0 ? x : float(.1·x): the loop vectorizes (0.3 ns per
            // element against 5), and a value differs from Darknet's by at most one ulp.
            void forward(float[] x, float[] y, int from, int to) {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = Math.max(v, .1f * v);
                }
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * Math.max(.1f, positive(t));
                }
            }
        },
        TANH("tanh") {
            // Math.tanh, not Darknet's (e^2x − 1)/(e^2x + 1), which is NaN once e^2x overflows.
            void forward(float[] x, float[] y, int from, int to) {
                for (int i = from; i < to; i++) {
                    float v = x[i];
                    y[i] = (float) Math.tanh(v);
                }
            }

            void backward(float[] y, float[] dy, float[] dx, int from, int to) {
                for (int i = from; i < to; i++) {
                    float t = y[i];
                    dx[i] = dy[i] * (1 - t * t);
                }
            }
        };

        public final String cfgName;

        Kind(String cfgName) {
            this.cfgName = cfgName;
        }

        /** y[i] = f(x[i]) for i in [from, to). */
        abstract void forward(float[] x, float[] y, int from, int to);

        /** dx[i] = dy[i]·f'(x[i]) for i in [from, to), with f' written on the output y[i]. */
        abstract void backward(float[] y, float[] dy, float[] dx, int from, int to);

        public float activate(float x) {
            float[] v = {x};
            forward(v, v, 0, 1);
            return v[0];
        }

        /** dy/dx written on the output y, Darknet's form. */
        public float gradient(float y) {
            float[] g = {1};
            backward(new float[] {y}, g, g, 0, 1);
            return g[0];
        }

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

        /**
         * 1 when t > 0, else 0 (also for NaN: 0), without a branch, so that the loops around it vectorize:
         * two scalings by 2^100 lift the smallest positive float above 1 and send any t ≤ 0 to ≤ 0.
         */
        private static float positive(float t) {
            return Math.min(1f, Math.max(0f, t * 0x1p100f * 0x1p100f));
        }

        private static float loggyGradient(float y) {
            float s = (float) ((y + 1.) / 2.);
            return 2 * (1 - s) * s;
        }

        private static float plse(float x) {
            if (x < -4) {
                return (float) (.01 * (x + 4));
            }
            if (x > 4) {
                return (float) (.01 * (x - 4) + 1);
            }
            return (float) (.125 * x + .5);
        }
    }

    private final Shape shape;
    private final Kind kind;

    public Activation(Shape shape, Kind kind) {
        this.shape = shape;
        this.kind = kind;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public Tensor forward(Tensor x, Rect out, Pass pass) {
        checkCovers(x, out);
        Tensor in = x.rect.equals(out) ? x : x.crop(out);
        Tensor y = Tensor.zeros(x.n, shape.c(), out);
        ComputeThreads.split(y.data.length, ComputeThreads.grain(1), (from, to) -> kind.forward(in.data, y.data, from, to));
        return y;
    }

    @Override
    public Tensor backward(Tensor x, Tensor y, Tensor dy, Pass pass) {
        checkCovers(x, dy.rect);
        if (!y.rect.equals(dy.rect)) {
            throw new IllegalArgumentException(describe() + ": output " + y.rect + " and its gradient " + dy.rect + " differ");
        }
        Tensor d = Tensor.zeros(dy.n, dy.c, dy.rect);
        ComputeThreads.split(d.data.length, ComputeThreads.grain(1), (from, to) -> kind.backward(y.data, dy.data, d.data, from, to));
        if (x.rect.equals(dy.rect)) {
            return d;
        }
        Tensor dx = Tensor.zeros(x.n, x.c, x.rect);
        dx.copyOverlap(d);
        return dx;
    }

    @Override
    public String describe() {
        return "activation " + kind.cfgName;
    }
}
