package dev.tiletrain.data;

import dev.tiletrain.ops.cfg.Cfg;
import dev.tiletrain.ops.cfg.CfgSection;
import dev.tiletrain.ops.cfg.NetConfig;

/**
 * Darknet's detection augmentation settings: {@code jitter} (of the {@code [region]} section in YOLOv2 cfgs),
 * {@code hue}, {@code saturation}, {@code exposure} and {@code flip} (of {@code [net]}), and the network input
 * size. Darknet's detection loader ignores {@code angle}, and so does this.
 */
public record Augmentation(float jitter, float hue, float saturation, float exposure, boolean flip, int width, int height) {
    public Augmentation {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("network size must be positive: " + width + "x" + height);
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1), got " + jitter);
        }
        if (!(hue >= 0 && hue <= 1)) {
            throw new IllegalArgumentException("hue must be in [0, 1], got " + hue);
        }
        if (!(saturation > 0) || !(exposure > 0)) {
            throw new IllegalArgumentException("saturation and exposure must be positive, got " + saturation + ", " + exposure);
        }
    }

    /**
     * The augmentation a Darknet cfg asks for, at a network size of {@code width × height}: hue, saturation
     * and exposure from {@code [net]}, jitter from the last section that sets it ({@code [region]} in YOLOv2
     * cfgs; Darknet's default .2), flips on as Darknet's detection loader always does.
     */
    public static Augmentation of(Cfg cfg, int width, int height) {
        NetConfig net = NetConfig.of(cfg);
        float jitter = .2f;
        for (CfgSection s : cfg.layers()) {
            if (s.has("jitter")) {
                jitter = s.getFloat("jitter", jitter);
                if (!(jitter >= 0 && jitter < 1)) {
                    throw s.error("jitter", "'" + s.getString("jitter", "") + "' is not in [0, 1)");
                }
            }
        }
        return new Augmentation(jitter, net.hue(), net.saturation(), net.exposure(), true, width, height);
    }

    /** Darknet's defaults: jitter .2, no colour change, random flips. */
    public static Augmentation defaults(int width, int height) {
        return new Augmentation(.2f, 0, 1, 1, true, width, height);
    }
}
