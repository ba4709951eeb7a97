package dev.tiletrain.ops.cfg;

import dev.tiletrain.ops.io.InputFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Darknet {@code .cfg} as Darknet's {@code read_cfg} does: every space, tab and newline is removed
 * from a line ({@code strip}), lines then empty or starting with {@code #} or {@code ;} are skipped, a line
 * starting with {@code [} opens a section, any other line is {@code key=value} split at the first {@code =}.
 * Unlike Darknet, a line it cannot use, an unknown section type and a key the section type does not read are
 * errors naming file and line (Darknet prints "Unused field" and goes on: a misspelt {@code strde=1} would
 * silently train with the default stride).
 */
public final class CfgParser {
    private CfgParser() {}

    public static Cfg parse(Path path) throws IOException {
        // Darknet reads bytes: keys and values are ASCII, and comments in any encoding must not fail the read.
        try (Reader r = new InputStreamReader(InputFile.open(path), StandardCharsets.ISO_8859_1)) {
            return parse(r, path.getFileName().toString());
        }
    }

    public static Cfg parse(String text, String file) {
        try {
            return parse(new StringReader(text), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code file} is the name messages use. */
    public static Cfg parse(Reader reader, String file) throws IOException {
        BufferedReader in = new BufferedReader(reader);
        List<String> warnings = new ArrayList<>();
        List<CfgSection> sections = new ArrayList<>();
        String type = null;
        int typeLine = 0;
        List<CfgEntry> entries = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        int lineNo = 0;
        for (String raw; (raw = in.readLine()) != null; ) {
            lineNo++;
            String s = strip(raw);
            if (s.isEmpty() || s.charAt(0) == '#' || s.charAt(0) == ';') {
                continue;
            }
            if (s.charAt(0) == '[') {
                if (type != null) {
                    sections.add(new CfgSection(file, type, typeLine, entries));
                }
                type = sectionType(s, file, lineNo);
                typeLine = lineNo;
                entries = new ArrayList<>();
                seen.clear();
                continue;
            }
            if (type == null) {
                throw new CfgException(file, lineNo, null, "'" + s + "' comes before the first [section]");
            }
            CfgEntry e = entry(s, file, lineNo);
            Integer first = seen.putIfAbsent(e.key(), lineNo);
            if (first != null) {
                warnings.add(file + ":" + lineNo + ": key '" + e.key() + "' repeats line " + first
                        + "; the first value counts");
            }
            entries.add(e);
        }
        if (type == null) {
            throw new CfgException(file, Math.max(lineNo, 1), null,
                    lineNo == 0 ? "the file is empty" : "no sections: a cfg starts with [net]");
        }
        sections.add(new CfgSection(file, type, typeLine, entries));
        return check(file, sections, warnings);
    }

    private static Cfg check(String file, List<CfgSection> sections, List<String> warnings) {
        CfgSection net = sections.get(0);
        if (!net.type().equals(SectionKeys.NET)) {
            throw new CfgException(file, net.line(), null, "the first section must be [net] or [network], not [" + net.type() + "]");
        }
        List<CfgSection> layers = sections.subList(1, sections.size());
        for (CfgSection s : sections) {
            if (s != net && s.type().equals(SectionKeys.NET)) {
                throw new CfgException(file, s.line(), null, "[net] may only be the first section");
            }
            if (!SectionKeys.knownType(s.type())) {
                throw new CfgException(file, s.line(), null, SectionKeys.unsupportedType(s.type()));
            }
            for (CfgEntry e : s.entries().values()) {
                if (!SectionKeys.known(s.type(), e.key())) {
                    throw new CfgException(file, e.line(), e.key(), SectionKeys.unknownKey(s.type(), e.key()));
                }
            }
        }
        return new Cfg(file, net, layers, warnings);
    }

    /** Darknet's {@code strip}; a carriage return is dropped too so that CRLF files read the same. */
    private static String strip(String line) {
        StringBuilder b = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String sectionType(String s, String file, int line) {
        if (s.length() < 3 || s.charAt(s.length() - 1) != ']' || s.indexOf(']') != s.length() - 1) {
            throw new CfgException(file, line, null, "'" + s + "' is not a section header like [convolutional]");
        }
        return SectionKeys.canonical(s.substring(1, s.length() - 1));
    }

    private static CfgEntry entry(String s, String file, int line) {
        int eq = s.indexOf('=');
        if (eq < 0) {
            throw new CfgException(file, line, null, "'" + s + "' is not key=value");
        }
        if (eq == 0) {
            throw new CfgException(file, line, null, "'" + s + "' has no key");
        }
        String key = s.substring(0, eq);
        if (eq == s.length() - 1) {
            throw new CfgException(file, line, key, "no value");
        }
        return new CfgEntry(key, s.substring(eq + 1), line);
    }
}
