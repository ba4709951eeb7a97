package dev.tiletrain.job.train;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.tensor.Tensor;

/**
 * The untiled tail's pass: its cost, the gradient at its input (the whole map of the last group's output,
 * scattered back to the owners), its parameters' gradient slice at {@code offset} of the flat layout, and
 * the batch statistics its batch norms used, by position in the network's batch norms.
 */
public record TailResult(float cost, Tensor delta, int offset, float[] gradient, int[] statisticsOf,
        BatchNorm.Stats[] statistics) {}
