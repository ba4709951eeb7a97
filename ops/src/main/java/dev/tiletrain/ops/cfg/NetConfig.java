package dev.tiletrain.ops.cfg;

import dev.tiletrain.ops.optim.LearningRate;

/**
 * The {@code [net]} section, read with Darknet's defaults ({@code parse_net_options}). {@code batch} is the
 * cfg's value; Darknet's own {@code net.batch} is {@link #miniBatch()}, and its updates divide by
 * {@link #updateBatch()}.
 */
public record NetConfig(
        int batch, int subdivisions, int timeSteps, int width, int height, int channels,
        float momentum, float decay, LearningRate learningRate, int maxBatches,
        float angle, float aspect, float saturation, float exposure, float hue) {

    /** The {@code [net]} section of {@code cfg}. */
    public static NetConfig of(Cfg cfg) {
        return of(cfg.net());
    }

    public static NetConfig of(CfgSection net) {
        int batch = atLeast(net, "batch", 1, 1);
        int subdivisions = atLeast(net, "subdivisions", 1, 1);
        if (batch / subdivisions < 1) {
            throw net.error("subdivisions", "batch=" + batch + " split into " + subdivisions + " subdivisions leaves no image per subdivision");
        }
        int maxBatches = atLeast(net, "max_batches", 0, 0);
        return new NetConfig(
                batch, subdivisions, atLeast(net, "time_steps", 1, 1),
                atLeast(net, "width", 0, 1), atLeast(net, "height", 0, 1), atLeast(net, "channels", 0, 1),
                net.getFloat("momentum", .9f, 0, 1), net.getFloat("decay", .0001f, 0, Float.MAX_VALUE),
                new LearningRate(net.getFloat("learning_rate", .001f, 0, Float.MAX_VALUE), atLeast(net, "burn_in", 0, 0),
                        net.getFloat("power", 4), policy(net, maxBatches)),
                maxBatches,
                net.getFloat("angle", 0), net.getPositiveFloat("aspect", 1), net.getPositiveFloat("saturation", 1),
                net.getPositiveFloat("exposure", 1), net.getFloat("hue", 0, 0, 1));
    }

    /** Darknet's {@code net.batch}: images per forward/backward pass ({@code batch / subdivisions × time_steps}). */
    public int miniBatch() {
        return batch / subdivisions * timeSteps;
    }

    /** Darknet's {@code net.batch * net.subdivisions}: the batch an update divides by, and the images per batch number. */
    public int updateBatch() {
        return miniBatch() * subdivisions;
    }

    private static LearningRate.Policy policy(CfgSection net, int maxBatches) {
        String name = net.getString("policy", "constant");
        switch (name) {
            case "constant":
                return new LearningRate.Constant();
            case "step":
                return new LearningRate.Step(atLeast(net, "step", 1, 1), net.getFloat("scale", 1));
            case "steps":
                int[] steps = net.getInts("steps", null);
                float[] scales = net.getFloats("scales", null);
                if (steps == null || scales == null) {
                    throw net.error(steps == null ? "steps" : "scales", "policy=steps needs steps= and scales=");
                }
                if (steps.length != scales.length) {
                    throw net.error("scales", scales.length + " scales for " + steps.length + " steps");
                }
                return new LearningRate.Steps(steps, scales);
            case "exp":
                return new LearningRate.Exp(net.getFloat("gamma", 1));
            case "poly":
                if (maxBatches < 1) {
                    throw net.error("max_batches", "policy=poly needs max_batches of at least 1");
                }
                return new LearningRate.Poly(maxBatches);
            case "sigmoid":
                return new LearningRate.Sigmoid(net.getFloat("gamma", 1), net.getInt("step", 1));
            case "random":
                throw net.error("policy", "'random' is not supported: its rate is not a function of the batch number");
            default:
                throw net.error("policy", "'" + name + "' is not one of constant, step, steps, exp, poly, sigmoid");
        }
    }

    private static int atLeast(CfgSection net, String key, int def, int min) {
        int v = net.getInt(key, def);
        if (v < min) {
            throw net.error(key, (net.has(key) ? v + " is" : "missing, and the default " + v + " is") + " less than " + min);
        }
        return v;
    }
}
