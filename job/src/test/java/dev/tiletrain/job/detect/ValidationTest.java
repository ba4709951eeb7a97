package dev.tiletrain.job.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiletrain.data.Dataset;
import dev.tiletrain.data.HadoopFiles;
import dev.tiletrain.ops.cfg.CfgParser;
import dev.tiletrain.ops.layers.BatchNorm;
import dev.tiletrain.ops.layers.Param;
import dev.tiletrain.ops.model.Model;
import dev.tiletrain.ops.model.ModelBuilder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole validation on a detector whose one detection per image is known: a global average pool, a 1×1
 * convolution with zero weights and zero biases, and a region layer of one anchor 1×1 on a 1×1 map. Every
 * image gets the box (.5, .5, 1, 1) of the letterboxed input with objectness σ(0) = .5 and class probability
 * 1, so probability .5.
 */
class ValidationTest {
    static final String CFG = """
            [net]
            width=32
            height=32
            channels=3
            [avgpool]
            [convolutional]
            filters=6
            size=1
            stride=1
            activation=linear
            [region]
            anchors=1,1
            classes=1
            num=1
            softmax=1
            """;

    @TempDir
    Path dir;

    static Model fixedDetector() {
        Model model = ModelBuilder.build(CfgParser.parse(CFG, "fixed.cfg"), BatchNorm.Mode.SYNC, 1);
        for (Param p : model.network().params()) {
            Arrays.fill(p.value, 0);
        }
        return model;
    }

    /**
     * Image 0 is 64×32: letterboxed, the detection covers the whole image, (1, 1)–(64, 32) in VOC pixels, and
     * its truth, the whole image, is (1, 1)–(65, 33): IoU 2048/2145 = .95, a true positive. Image 1 is 32×32
     * with a small truth in its corner: the detection over the whole image is a false positive and the truth is
     * missed. Both probabilities are .5 (a tie: image 0's detection ranks first, in list order): (.5, 1),
     * (.5, .5) → AP .5.
     */
    @Test
    void meanAveragePrecisionOfAKnownDetector() throws IOException {
        Path p0 = image("a", 64, 32, "0 0.5 0.5 1 1"), p1 = image("b", 32, 32, "0 0.1 0.1 0.1 0.1");
        Dataset valid = new Dataset(List.of(hadoop(p0), hadoop(p1)), 1, List.of("thing"));
        MeanAveragePrecision m = Validation.map(fixedDetector(), HadoopFiles.withDefaultConfiguration(), valid);
        AveragePrecision thing = m.classes().get(0);
        assertEquals("thing", thing.name());
        assertEquals(2, thing.truths());
        assertEquals(1, thing.truePositives());
        assertEquals(1, thing.falsePositives());
        assertEquals(.5, thing.ap(), 1e-12);
        assertEquals(.5, m.value(), 1e-12);
        assertEquals(2, m.images());
    }

    /** Detections above the threshold only: with .5 none is left, and the AP is 0 with the truths all missed. */
    @Test
    void thresholdDropsDetections() throws IOException {
        Path p0 = image("a", 64, 32, "0 0.5 0.5 1 1");
        Dataset valid = new Dataset(List.of(hadoop(p0)), 1, List.of("thing"));
        MeanAveragePrecision m = Validation.map(fixedDetector(), HadoopFiles.withDefaultConfiguration(), valid, .5, .5f);
        assertEquals(0, m.classes().get(0).truePositives() + m.classes().get(0).falsePositives());
        assertEquals(0, m.value());
    }

    private Path image(String name, int w, int h, String label) throws IOException {
        Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(dir.resolve("labels"));
        Path png = dir.resolve("images/" + name + ".png");
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        Files.writeString(dir.resolve("labels/" + name + ".txt"), label + "\n");
        return png;
    }

    static org.apache.hadoop.fs.Path hadoop(Path p) {
        return new org.apache.hadoop.fs.Path(p.toUri());
    }
}
