package dev.tiletrain.data;

/** One labelled object: centre, width and height normalized to the image (0..1), and its class id. */
public record LabelBox(float x, float y, float w, float h, int cls) {
}
