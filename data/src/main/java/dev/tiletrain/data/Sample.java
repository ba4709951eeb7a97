package dev.tiletrain.data;

/** Which dataset image fills batch slot {@code slot} of iteration {@code iteration}, and in which epoch. */
public record Sample(int image, int epoch, long iteration, int slot) {
}
