package dev.tiletrain.job.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.ops.weights.DarknetWeights;
import dev.tiletrain.ops.weights.WeightsHeader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tiletrain detect} with {@link ValidationTest}'s known detector: one box over the whole image at 50%. */
class DetectCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsAndDrawsTheDetection() throws IOException {
        Path cfg = dir.resolve("fixed.cfg"), weights = dir.resolve("fixed.weights"), image = dir.resolve("a.png");
        Files.writeString(cfg, ValidationTest.CFG);
        DarknetWeights.write(weights, WeightsHeader.darknet(0), ValidationTest.fixedDetector().sections());
        ImageIO.write(new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
        Files.writeString(dir.resolve("d.data"), "classes=1\ntrain=t.txt\nnames=n.names\n");
        Files.writeString(dir.resolve("n.names"), "thing\n");

        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = DetectCommand.run(new String[] {"--cfg", cfg.toString(), "--weights", weights.toString(), "--data",
                dir.resolve("d.data").toString(), image.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(printed.contains("thing: 50%  box 0 0 63 31"), printed);
        BufferedImage drawn = ImageIO.read(dir.resolve("a.png.predictions.png").toFile());
        assertEquals(64, drawn.getWidth());
        assertEquals(32, drawn.getHeight());
        // The box's edge is drawn in class 0's colour (Darknet's get_color at offset 0: magenta).
        assertEquals(0xff00ff, drawn.getRGB(0, 31) & 0xffffff);
    }

    @Test
    void noImageIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, DetectCommand.run(new String[] {"--cfg", "x.cfg", "--weights", "x.weights"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("detect: no IMAGE given"));
    }
}
