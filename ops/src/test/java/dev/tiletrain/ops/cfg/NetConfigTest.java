package dev.tiletrain.ops.cfg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tiletrain.ops.optim.LearningRate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NetConfigTest {
    private static NetConfig net(String body) {
        return NetConfig.of(CfgParser.parse("[net]\nwidth=32\nheight=24\nchannels=3\n" + body, "net.cfg"));
    }

    @Test
    void yolov2VocNetSection() {
        NetConfig n = NetConfig.of(ShippedCfgs.parse("yolov2-voc.cfg"));
        assertEquals(new NetConfig(1, 1, 1, 416, 416, 3, .9f, .0005f,
                new LearningRate(.001f, 1000, 4, new LearningRate.Steps(new int[] {40000, 60000}, new float[] {.1f, .1f})),
                80200, 0, 1, 1.5f, 1.5f, .1f), n);
    }

    @Test
    void darknetsDefaultsApplyToAbsentKeys() {
        NetConfig n = net("");
        assertEquals(new NetConfig(1, 1, 1, 32, 24, 3, .9f, .0001f,
                new LearningRate(.001f, 0, 4, new LearningRate.Constant()), 0, 0, 1, 1, 1, 0), n);
    }

    @Test
    void theUpdateBatchIsDarknetsIntegerDividedBatchTimesSubdivisions() {
        NetConfig a = net("batch=64\nsubdivisions=8\n");
        assertEquals(8, a.miniBatch());
        assertEquals(64, a.updateBatch());
        NetConfig b = net("batch=10\nsubdivisions=3\n");
        assertEquals(3, b.miniBatch());
        assertEquals(9, b.updateBatch());
    }

    @Test
    void eachPolicyReadsItsKeys() {
        assertEquals(new LearningRate.Step(100, .5f), net("policy=step\nstep=100\nscale=.5\n").learningRate().policy());
        assertEquals(new LearningRate.Step(1, 1), net("policy=step\n").learningRate().policy());
        assertEquals(new LearningRate.Exp(.99f), net("policy=exp\ngamma=.99\n").learningRate().policy());
        assertEquals(new LearningRate.Poly(500), net("policy=poly\nmax_batches=500\npower=2\n").learningRate().policy());
        assertEquals(2f, net("policy=poly\nmax_batches=500\npower=2\n").learningRate().power());
        assertEquals(new LearningRate.Sigmoid(-.1f, 300), net("policy=sigmoid\ngamma=-.1\nstep=300\n").learningRate().policy());
    }

    static Stream<Arguments> badNets() {
        return Stream.of(
                Arguments.of("batch=4\nsubdivisions=8\n", "net.cfg:6: key 'subdivisions': batch=4 split into 8 subdivisions leaves no image per subdivision"),
                Arguments.of("batch=0\n", "net.cfg:5: key 'batch': 0 is less than 1"),
                Arguments.of("burn_in=-5\n", "net.cfg:5: key 'burn_in': -5 is less than 0"),
                Arguments.of("policy=random\n", "net.cfg:5: key 'policy': 'random' is not supported: its rate is not a function of the batch number"),
                Arguments.of("policy=cosine\n", "net.cfg:5: key 'policy': 'cosine' is not one of constant, step, steps, exp, poly, sigmoid"),
                Arguments.of("policy=steps\nsteps=10,20\n", "net.cfg:1: key 'scales': policy=steps needs steps= and scales="),
                Arguments.of("policy=steps\nsteps=10,20\nscales=.1\n", "net.cfg:7: key 'scales': 1 scales for 2 steps"),
                Arguments.of("policy=step\nstep=0\n", "net.cfg:6: key 'step': 0 is less than 1"),
                Arguments.of("policy=poly\n", "net.cfg:1: key 'max_batches': policy=poly needs max_batches of at least 1"),
                Arguments.of("momentum=1.5\n", "net.cfg:5: key 'momentum': '1.5' is not in [0, 1]"),
                Arguments.of("decay=-0.1\n", "net.cfg:5: key 'decay': '-0.1' is less than 0"),
                Arguments.of("learning_rate=-1\n", "net.cfg:5: key 'learning_rate': '-1' is less than 0"),
                Arguments.of("hue=2\n", "net.cfg:5: key 'hue': '2' is not in [0, 1]"),
                Arguments.of("saturation=0\n", "net.cfg:5: key 'saturation': '0' is not positive"),
                Arguments.of("exposure=-1.5\n", "net.cfg:5: key 'exposure': '-1.5' is not positive"));
    }

    @ParameterizedTest
    @MethodSource("badNets")
    void anUnusableNetSectionIsAnErrorNamingFileLineAndKey(String body, String message) {
        assertEquals(message, assertThrows(CfgException.class, () -> net(body)).getMessage());
    }

    @Test
    void anImageInputIsRequired() {
        CfgException e = assertThrows(CfgException.class,
                () -> NetConfig.of(CfgParser.parse("[net]\nwidth=32\nchannels=3\n", "in.cfg")));
        assertEquals("in.cfg:1: key 'height': missing, and the default 0 is less than 1", e.getMessage());
    }
}
