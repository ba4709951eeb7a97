package dev.tiletrain.ops.net;

import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.tensor.Tensor;
import java.util.Map;

/**
 * One forward and backward pass: the cost (0 for a given gradient), the network's output, dLoss/d(input),
 * the summed parameter gradients, and the batch statistics each batch norm used (for the rolling update).
 */
public record StepResult(float cost, Tensor output, Tensor inputGradient, Map<Param, float[]> gradients,
                         Map<BatchNorm, BatchNorm.Stats> statistics) {}
