package dev.tiletrain.job.detect;

import dev.tiletrain.data.LabelBox;
import dev.tiletrain.data.Dataset;
import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.data.LabelFile;
import dev.tiletrain.data.LabelPath;
import dev.tiletrain.ops.layers.Region;
import dev.tiletrain.ops.model.Model;
import java.util.ArrayList;
import java.util.List;

/**
 * Mean average precision of a detector over a validation list: Darknet's {@code validate_detector}
 * (letterbox, rolling statistics, detections above {@code thresh}, NMS, boxes written in VOC pixels) followed
 * by PASCAL VOC's {@code voc_eval} per class at overlap {@code iou}.
 */
public final class Validation {
    /** Darknet's {@code validate_detector} keeps every detection above this probability. */
    public static final float THRESH = .005f;
    /** PASCAL VOC's overlap for a match. */
    public static final double IOU = .5;

    private Validation() {}

    /** mAP of {@code model} (as it is now: its weights and rolling statistics) on {@code valid}, at VOC's settings. */
    public static MeanAveragePrecision map(Model model, HadoopFiles files, Dataset valid) {
        return map(model, files, valid, IOU, THRESH);
    }

    public static MeanAveragePrecision map(Model model, HadoopFiles files, Dataset valid, double iou, float thresh) {
        Detector detector = new Detector(model);
        int classes = detector.classes();
        if (valid.classes() > classes) {
            throw new IllegalArgumentException("the validation set has " + valid.classes() + " classes but "
                    + model.name() + " detects " + classes);
        }
        List<List<List<PixelBox>>> truths = new ArrayList<>();
        List<List<VocEval.Scored>> scored = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            truths.add(new ArrayList<>());
            scored.add(new ArrayList<>());
        }
        List<Detector.Found> found = detector.detect(files, valid.images(), thresh, false);
        for (int i = 0; i < found.size(); i++) {
            Detector.Found f = found.get(i);
            for (List<List<PixelBox>> t : truths) {
                t.add(new ArrayList<>());
            }
            for (LabelBox b : LabelFile.read(files, LabelPath.of(f.image()), valid.classes()).boxes()) {
                truths.get(b.cls()).get(i).add(PixelBox.ofLabel(b.x(), b.y(), b.w(), b.h(), f.width(), f.height()));
            }
            for (Region.Detection d : f.detections()) {
                var box = d.box();
                PixelBox pixels = PixelBox.ofDetection(box.x(), box.y(), box.w(), box.h(), f.width(), f.height());
                for (int c = 0; c < classes; c++) {
                    if (d.probabilities()[c] != 0) {
                        scored.get(c).add(new VocEval.Scored(i, d.probabilities()[c], pixels));
                    }
                }
            }
        }
        List<AveragePrecision> results = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            String name = c < valid.names().size() ? valid.names().get(c) : "class" + c;
            results.add(VocEval.evaluate(name, scored.get(c), truths.get(c), iou));
        }
        return new MeanAveragePrecision(results, iou, thresh, found.size());
    }
}
