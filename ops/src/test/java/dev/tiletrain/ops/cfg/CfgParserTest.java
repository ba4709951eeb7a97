package dev.tiletrain.ops.cfg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CfgParserTest {
    static Stream<Arguments> publishedFiles() {
        // Size and SHA-256 of cfg/yolov2-voc.cfg and cfg/yolov2-tiny-voc.cfg in pjreddie/darknet.
        return Stream.of(
                Arguments.of("yolov2-voc.cfg", 2721, "ecf8b24ca01bdedc5c569300a6e99120ca5e251108eaa973b9cb19e28ed93352"),
                Arguments.of("yolov2-tiny-voc.cfg", 1456, "1e012b455b845579096378b0ab4a82f1d9cb53b3b1282724a6de5d45537cb7e6"));
    }

    @ParameterizedTest
    @MethodSource("publishedFiles")
    void shippedCfgsAreThePublishedFilesByteForByte(String name, int size, String sha256) throws Exception {
        byte[] bytes = Files.readAllBytes(ShippedCfgs.path(name));
        assertEquals(size, bytes.length);
        assertEquals(sha256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    }

    private static String types(Cfg cfg) {
        return cfg.layers().stream().map(s -> s.type().substring(0, 4)).collect(Collectors.joining(" "));
    }

    @Test
    void yolov2VocHas32LayerSectionsOfTheKnownKinds() {
        Cfg cfg = ShippedCfgs.parse("yolov2-voc.cfg");
        assertEquals(32, cfg.layers().size());
        assertEquals("conv maxp conv maxp conv conv conv maxp conv conv conv maxp conv conv conv conv conv maxp "
                + "conv conv conv conv conv conv conv rout conv reor rout conv conv regi", types(cfg));
        assertEquals(List.of(), cfg.warnings());
        assertEquals("yolov2-voc.cfg", cfg.file());
        assertEquals(1, cfg.net().line());

        CfgSection route = cfg.layers().get(25);
        assertArrayEquals(new int[] {-9}, route.getInts("layers", null));
        assertArrayEquals(new int[] {-1, -4}, cfg.layers().get(28).getInts("layers", null));
        assertEquals(2, cfg.layers().get(27).getInt("stride", 1));
        CfgSection last = cfg.layers().get(30);
        assertEquals(125, last.getInt("filters", 1));
        assertEquals(0, last.getInt("batch_normalize", 0));
        assertEquals("linear", last.getString("activation", "logistic"));
        CfgSection region = cfg.layers().get(31);
        assertArrayEquals(new float[] {1.3221f, 1.73145f, 3.19275f, 4.00944f, 5.05587f, 8.09892f, 9.47112f, 4.84053f, 11.2364f, 10.0071f},
                region.getFloats("anchors", null));
        assertEquals(.6f, region.getFloat("thresh", .5f));
        assertEquals(20, region.getInt("classes", 20));
    }

    @Test
    void yolov2TinyVocHas16LayerSections() {
        Cfg cfg = ShippedCfgs.parse("yolov2-tiny-voc.cfg");
        assertEquals(16, cfg.layers().size());
        assertEquals("conv maxp conv maxp conv maxp conv maxp conv maxp conv maxp conv conv conv regi", types(cfg));
        assertEquals(List.of(), cfg.warnings());
        assertEquals(1, cfg.layers().get(11).getInt("stride", 1));
        assertArrayEquals(new int[] {-1, 100, 20000, 30000}, cfg.net().getInts("steps", null));
    }

    @Test
    void prefix16IsTheFirst16LayersOfYolov2() {
        Cfg full = ShippedCfgs.parse("yolov2-voc.cfg");
        Cfg prefix = ShippedCfgs.parse("yolov2-voc-prefix16.cfg");
        assertEquals(16, prefix.layers().size());
        assertEquals(List.of(), prefix.warnings());
        assertEquals(full.net().entries(), prefix.net().entries());
        for (int i = 0; i < 16; i++) {
            assertEquals(full.layers().get(i).type(), prefix.layers().get(i).type());
            assertEquals(full.layers().get(i).entries(), prefix.layers().get(i).entries(), "layer " + i);
        }
        assertEquals(256, prefix.layers().get(15).getInt("filters", 1));
        assertEquals(1, prefix.layers().get(15).getInt("size", 1));
    }

    @Test
    void tinyTestNetEndsInARegionForTwoClasses() {
        Cfg cfg = ShippedCfgs.parse("tiny-test.cfg");
        assertEquals(11, cfg.layers().size());
        assertEquals(List.of(), cfg.warnings());
        assertEquals(64, cfg.net().getInt("width", 0));
        CfgSection region = cfg.layers().get(10);
        assertEquals("region", region.type());
        int num = region.getInt("num", 1), classes = region.getInt("classes", 20), coords = region.getInt("coords", 4);
        assertEquals(2, classes);
        assertEquals(2 * num, region.getFloats("anchors", null).length);
        assertEquals(num * (classes + coords + 1), cfg.layers().get(9).getInt("filters", 1));
    }

    @Test
    void linesAreStrippedAndCommentedAsDarknetDoes() {
        Cfg cfg = CfgParser.parse("""
                # comment
                [ net ]
                 wid th = 6 4\t
                height=64\r
                channels=3
                ; another comment
                   # indented comment
                [conv]
                filters = 1 6
                learning_rate=.5
                [max]
                """, "t.cfg");
        assertEquals(64, cfg.net().getInt("width", 0));
        assertEquals(64, cfg.net().getInt("height", 0));
        assertEquals(2, cfg.net().line());
        CfgSection conv = cfg.layers().get(0);
        assertEquals("convolutional", conv.type());
        assertEquals(8, conv.line());
        assertEquals(16, conv.getInt("filters", 1));
        assertEquals(9, conv.entry("filters").orElseThrow().line());
        assertEquals("maxpool", cfg.layers().get(1).type());
        assertEquals(List.of(), cfg.warnings());
    }

    @Test
    void gettersReturnTheGivenDefaultWhenAKeyIsAbsent() {
        CfgSection s = CfgParser.parse("[net]\n[convolutional]\n", "t.cfg").layers().get(0);
        assertEquals(1, s.getInt("filters", 1));
        assertEquals(.5f, s.getFloat("jitter", .5f));
        assertEquals("logistic", s.getString("activation", "logistic"));
        assertNull(s.getInts("layers", null));
        assertArrayEquals(new float[] {1f}, s.getFloats("scales", new float[] {1f}));
        assertFalse(s.has("filters"));
    }

    @Test
    void floatsAreParsedAsDarknetsAtofThenRoundedToFloat() {
        CfgSection s = CfgParser.parse("[net]\nB1=0.001\nB2=1e-3\neps=.1\ngamma=5.\npower=-2\n", "t.cfg").net();
        assertEquals((float) 0.001, s.getFloat("B1", 0));
        assertEquals((float) 0.001, s.getFloat("B2", 0));
        assertEquals((float) 0.1, s.getFloat("eps", 0));
        assertEquals(5f, s.getFloat("gamma", 0));
        assertEquals(-2f, s.getFloat("power", 0));
    }

    static Stream<Arguments> malformedValues() {
        return Stream.of(
                Arguments.of("filters=abc", "filters", (Getter) s -> s.getInt("filters", 1), "'abc' is not an integer"),
                Arguments.of("filters=3.5", "filters", (Getter) s -> s.getInt("filters", 1), "'3.5' is not an integer"),
                Arguments.of("filters=99999999999", "filters", (Getter) s -> s.getInt("filters", 1), "'99999999999' is out of the int range"),
                Arguments.of("dot=0.9.1", "dot", (Getter) s -> s.getFloat("dot", 0), "'0.9.1' is not a number"),
                Arguments.of("dot=1e99", "dot", (Getter) s -> s.getFloat("dot", 0), "'1e99' is out of the float range"),
                Arguments.of("dot=nan", "dot", (Getter) s -> s.getFloat("dot", 0), "'nan' is not a number"),
                Arguments.of("size=3#x", "size", (Getter) s -> s.getInt("size", 1), "'3#x' is not an integer"),
                Arguments.of("flipped=1,,2", "flipped", (Getter) s -> s.getInts("flipped", null), "'1,,2' has an empty list element"),
                Arguments.of("flipped=1,2,", "flipped", (Getter) s -> s.getInts("flipped", null), "'1,2,' has an empty list element"),
                Arguments.of("flipped=1,x", "flipped", (Getter) s -> s.getInts("flipped", null), "'x' is not an integer"),
                Arguments.of("dot=1,y", "dot", (Getter) s -> s.getFloats("dot", null), "'y' is not a number"));
    }

    interface Getter {
        Object get(CfgSection s);
    }

    @ParameterizedTest
    @MethodSource("malformedValues")
    void aMalformedValueIsAnErrorNamingFileLineAndKey(String line, String key, Getter getter, String problem) {
        Cfg cfg = CfgParser.parse("[net]\nwidth=8\n\n[convolutional]\nbatch_normalize=1\n" + line + "\n", "yolov2.cfg");
        CfgException e = assertThrows(CfgException.class, () -> getter.get(cfg.layers().get(0)));
        assertEquals("yolov2.cfg:6: key '" + key + "': " + problem, e.getMessage());
        assertEquals(6, e.line());
        assertEquals(key, e.key());
        assertEquals("yolov2.cfg", e.file());
    }

    static Stream<Arguments> unknownKeys() {
        return Stream.of(
                // The example: Darknet ignores it and trains with stride 1 whatever was meant.
                Arguments.of("[convolutional]\nfilters=4\nstrde=2\n", 5, "strde",
                        "[convolutional] has no such key (did you mean 'stride'?)"),
                Arguments.of("[maxpool]\nSize=2\n", 4, "Size", "[maxpool] has no such key (did you mean 'size'?)"),
                Arguments.of("[region]\nanchors=1,1\nfilters=3\n", 5, "filters", "a key of [convolutional], not of [region]"),
                Arguments.of("[convolutional]\nfilters=4\nclasses=2\n", 5, "classes", "a key of [region], not of [convolutional]"),
                Arguments.of("[dropout]\nzzzzzz=1\n", 4, "zzzzzz", "[dropout] has no such key; its keys are dontload, "
                        + "dontloadscales, dontsave, learning_rate, numload, onlyforward, probability, smooth, stopbackward, truth"));
    }

    @ParameterizedTest
    @MethodSource("unknownKeys")
    void anUnknownKeyIsAnErrorNamingFileLineKeyAndTheNearestValidKey(String section, int line, String key, String problem) {
        CfgException e = assertThrows(CfgException.class, () -> CfgParser.parse("[net]\nwidth=8\n" + section, "n.cfg"));
        assertEquals("n.cfg:" + line + ": key '" + key + "': " + problem, e.getMessage());
        assertEquals(line, e.line());
        assertEquals(key, e.key());
    }

    @Test
    void aKeyOfAnotherSectionTypeInNetIsAnErrorToo() {
        // yolov2 cfgs set jitter in [region]; in [net] Darknet would ignore it and keep the default .2.
        CfgException e = assertThrows(CfgException.class, () -> CfgParser.parse("[net]\nwidth=8\njitter=.3\n", "n.cfg"));
        assertEquals("n.cfg:3: key 'jitter': a key of [region], not of [net]", e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("dev.tiletrain.ops.cfg.ShippedCfgs#names")
    void everyKeyOfTheShippedCfgsIsKnown(String name) {
        assertEquals(List.of(), ShippedCfgs.parse(name).warnings());
    }

    @Test
    void aRepeatedKeyWarnsAndTheFirstValueCounts() {
        Cfg cfg = CfgParser.parse("[net]\n[convolutional]\nfilters=4\nsize=3\nfilters=8\n", "r.cfg");
        assertEquals(4, cfg.layers().get(0).getInt("filters", 1));
        assertEquals(List.of("r.cfg:5: key 'filters' repeats line 3; the first value counts"), cfg.warnings());
    }

    static Stream<Arguments> malformedFiles() {
        return Stream.of(
                Arguments.of("width=3\n[net]\n", "m.cfg:1: 'width=3' comes before the first [section]"),
                Arguments.of("[net]\nwidth\n", "m.cfg:2: 'width' is not key=value"),
                Arguments.of("[net]\n=3\n", "m.cfg:2: '=3' has no key"),
                Arguments.of("[net]\nwidth=\n", "m.cfg:2: key 'width': no value"),
                Arguments.of("[net\n", "m.cfg:1: '[net' is not a section header like [convolutional]"),
                Arguments.of("[net]x\n", "m.cfg:1: '[net]x' is not a section header like [convolutional]"),
                Arguments.of("[]\n", "m.cfg:1: '[]' is not a section header like [convolutional]"),
                Arguments.of("# only a comment\n", "m.cfg:1: no sections: a cfg starts with [net]"),
                Arguments.of("", "m.cfg:1: the file is empty"),
                Arguments.of("[net]\nwidth=8\n[upsample]\nstride=2\n", "m.cfg:3: [upsample] is a Darknet layer tiletrain "
                        + "does not implement; supported: [net] [convolutional] [connected] [maxpool] [avgpool] [route] "
                        + "[reorg] [region] [softmax] [cost] [dropout]"),
                Arguments.of("[net]\n[convolutinal]\n", "m.cfg:2: [convolutinal] is not a Darknet section type (did you "
                        + "mean [convolutional]?); supported: [net] [convolutional] [connected] [maxpool] [avgpool] [route] "
                        + "[reorg] [region] [softmax] [cost] [dropout]"),
                Arguments.of("\n[convolutional]\n[net]\n", "m.cfg:2: the first section must be [net] or [network], not [convolutional]"),
                Arguments.of("[net]\n[maxpool]\n[network]\n", "m.cfg:3: [net] may only be the first section"));
    }

    @ParameterizedTest
    @MethodSource("malformedFiles")
    void aLineDarknetCouldNotUseIsAnError(String text, String message) {
        CfgException e = assertThrows(CfgException.class, () -> CfgParser.parse(text, "m.cfg"));
        assertEquals(message, e.getMessage());
    }

    @Test
    void sectionErrorsPointAtTheKeyWhenPresentElseAtTheHeader() {
        CfgSection s = CfgParser.parse("[net]\n\n[route]\nsmooth=1\nlayers=-1\n", "e.cfg").layers().get(0);
        assertEquals("e.cfg:5: key 'layers': refers past the input", s.error("layers", "refers past the input").getMessage());
        assertEquals("e.cfg:3: key 'other': is missing", s.error("other", "is missing").getMessage());
        assertTrue(s.toString().contains("e.cfg:3"));
    }

    @Test
    void aDirectoryOrAMissingFileIsNamed(@TempDir Path dir) {
        assertEquals(dir + ": is a directory, expected a file",
                assertThrows(FileSystemException.class, () -> CfgParser.parse(dir)).getMessage());
        assertEquals(dir.resolve("none.cfg") + ": no such file",
                assertThrows(FileSystemException.class, () -> CfgParser.parse(dir.resolve("none.cfg"))).getMessage());
    }
}
