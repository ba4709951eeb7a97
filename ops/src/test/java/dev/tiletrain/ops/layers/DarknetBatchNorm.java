package dev.tiletrain.ops.layers;

/**
 * Darknet's batch normalization in training, transcribed line by line from pjreddie's batchnorm_layer.c
 * ({@code forward_batchnorm_layer}, {@code backward_batchnorm_layer}) and blas.c ({@code mean_cpu},
 * {@code variance_cpu}, {@code normalize_cpu}, {@code mean_delta_cpu}, {@code variance_delta_cpu},
 * {@code normalize_delta_cpu}) and convolutional_layer.c ({@code backward_bias}, {@code backward_scale_cpu},
 * {@code scale_bias}), with C's float and double arithmetic: float accumulators, {@code sqrt} and {@code pow}
 * in double, stored to float. Arrays are NCHW, {@code spatial} = h·w.
 */
final class DarknetBatchNorm {
    final int batch;
    final int filters;
    final int spatial;
    final float[] mean;
    final float[] variance;
    final float[] x;
    final float[] xNorm;
    final float[] scaleUpdates;
    final float[] biasUpdates;

    DarknetBatchNorm(int batch, int filters, int spatial) {
        this.batch = batch;
        this.filters = filters;
        this.spatial = spatial;
        mean = new float[filters];
        variance = new float[filters];
        x = new float[batch * filters * spatial];
        xNorm = new float[x.length];
        scaleUpdates = new float[filters];
        biasUpdates = new float[filters];
    }

    /** forward_batchnorm_layer with net.train: returns l.output for input {@code input}. */
    float[] forward(float[] input, float[] scales, float[] biases) {
        float[] output = input.clone();
        System.arraycopy(output, 0, x, 0, x.length);
        meanCpu(output);
        varianceCpu(output);
        normalizeCpu(output);
        System.arraycopy(output, 0, xNorm, 0, x.length);
        for (int b = 0; b < batch; ++b) {
            for (int i = 0; i < filters; ++i) {
                for (int j = 0; j < spatial; ++j) {
                    output[(b * filters + i) * spatial + j] *= scales[i];
                    output[(b * filters + i) * spatial + j] += biases[i];
                }
            }
        }
        return output;
    }

    /** backward_batchnorm_layer: l.delta is {@code delta}, changed in place to what it hands to the layer below. */
    void backward(float[] delta, float[] scales) {
        for (int b = 0; b < batch; ++b) {
            for (int i = 0; i < filters; ++i) {
                float sum = 0;
                for (int k = 0; k < spatial; ++k) {
                    sum += delta[spatial * (i + b * filters) + k];
                }
                biasUpdates[i] += sum;
            }
        }
        for (int f = 0; f < filters; ++f) {
            float sum = 0;
            for (int b = 0; b < batch; ++b) {
                for (int i = 0; i < spatial; ++i) {
                    int index = i + spatial * (f + filters * b);
                    sum += delta[index] * xNorm[index];
                }
            }
            scaleUpdates[f] += sum;
        }
        for (int b = 0; b < batch; ++b) {
            for (int i = 0; i < filters; ++i) {
                for (int j = 0; j < spatial; ++j) {
                    delta[(b * filters + i) * spatial + j] *= scales[i];
                }
            }
        }
        float[] meanDelta = new float[filters];
        for (int i = 0; i < filters; ++i) {
            meanDelta[i] = 0;
            for (int j = 0; j < batch; ++j) {
                for (int k = 0; k < spatial; ++k) {
                    int index = j * filters * spatial + i * spatial + k;
                    meanDelta[i] += delta[index];
                }
            }
            meanDelta[i] *= (-1. / Math.sqrt(variance[i] + .00001f));
        }
        float[] varianceDelta = new float[filters];
        for (int i = 0; i < filters; ++i) {
            varianceDelta[i] = 0;
            for (int j = 0; j < batch; ++j) {
                for (int k = 0; k < spatial; ++k) {
                    int index = j * filters * spatial + i * spatial + k;
                    varianceDelta[i] += delta[index] * (x[index] - mean[i]);
                }
            }
            varianceDelta[i] *= -.5 * Math.pow(variance[i] + .00001f, (float) (-3. / 2.));
        }
        for (int j = 0; j < batch; ++j) {
            for (int f = 0; f < filters; ++f) {
                for (int k = 0; k < spatial; ++k) {
                    int index = j * filters * spatial + f * spatial + k;
                    delta[index] = (float) (delta[index] * 1. / (Math.sqrt(variance[f] + .00001f))
                            + varianceDelta[f] * 2. * (x[index] - mean[f]) / (spatial * batch)
                            + meanDelta[f] / (spatial * batch));
                }
            }
        }
    }

    private void meanCpu(float[] in) {
        float scale = 1.f / (batch * spatial);
        for (int i = 0; i < filters; ++i) {
            mean[i] = 0;
            for (int j = 0; j < batch; ++j) {
                for (int k = 0; k < spatial; ++k) {
                    mean[i] += in[j * filters * spatial + i * spatial + k];
                }
            }
            mean[i] *= scale;
        }
    }

    private void varianceCpu(float[] in) {
        float scale = 1.f / (batch * spatial - 1);
        for (int i = 0; i < filters; ++i) {
            variance[i] = 0;
            for (int j = 0; j < batch; ++j) {
                for (int k = 0; k < spatial; ++k) {
                    int index = j * filters * spatial + i * spatial + k;
                    variance[i] += Math.pow(in[index] - mean[i], 2);
                }
            }
            variance[i] *= scale;
        }
    }

    private void normalizeCpu(float[] in) {
        for (int b = 0; b < batch; ++b) {
            for (int f = 0; f < filters; ++f) {
                for (int i = 0; i < spatial; ++i) {
                    int index = b * filters * spatial + f * spatial + i;
                    in[index] = (float) ((in[index] - mean[f]) / (Math.sqrt(variance[f]) + .000001f));
                }
            }
        }
    }
}
