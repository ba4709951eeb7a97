package dev.tiletrain.ops.npy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The header of a {@code .npy} file (NumPy's {@code numpy/lib/format.py}): magic {@code \x93NUMPY}, major and
 * minor version, the header length (uint16 in version 1.0, uint32 in 2.0 and 3.0), and a Python dict literal
 * with {@code descr}, {@code fortran_order} and {@code shape}, padded with spaces and a newline to a multiple
 * of 64 bytes. Only little-endian float32 ({@code '<f4'}) in C order is accepted.
 */
final class NpyHeader {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    static final String FLOAT32 = "<f4";
    private static final int ALIGN = 64;
    /** NumPy leaves room for the first dimension to grow to this many digits (GROWTH_AXIS_MAX_DIGITS). */
    private static final int GROWTH_DIGITS = 21;
    /** The data is read into one byte array, which holds at most about 2^31 bytes. */
    private static final int MAX_FLOATS = (Integer.MAX_VALUE - 8) / 4;
    private static final Set<String> KEYS = new TreeSet<>(List.of("descr", "fortran_order", "shape"));

    private NpyHeader() {}

    /** Magic, version, length and dict of a float32 C-order array of {@code shape}, byte for byte as {@code numpy.save}. */
    static byte[] encode(int[] shape) {
        String repr = shape.length == 1 ? "(" + shape[0] + ",)"
                : IntStream.of(shape).mapToObj(Integer::toString).collect(Collectors.joining(", ", "(", ")"));
        String dict = "{'descr': '" + FLOAT32 + "', 'fortran_order': False, 'shape': " + repr + ", }"
                + (shape.length == 0 ? "" : " ".repeat(GROWTH_DIGITS - Integer.toString(shape[0]).length()));
        byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
        int hlen = text.length + 1;
        boolean v1 = hlen + ALIGN <= 0xFFFF;
        int prefix = MAGIC.length + 2 + (v1 ? 2 : 4);
        int pad = ALIGN - (prefix + hlen) % ALIGN;
        ByteBuffer b = ByteBuffer.allocate(prefix + hlen + pad).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) {
            b.putShort((short) (hlen + pad));
        } else {
            b.putInt(hlen + pad);
        }
        b.put(text);
        for (int i = 0; i < pad; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    /** The shape given by the header dict {@code text}; {@code name} is the file name for messages. */
    static int[] parse(String text, String name) throws NpyFormatException {
        Literal lit = new Literal(text, name);
        Object v = lit.value();
        lit.end();
        if (!(v instanceof Map<?, ?> dict)) {
            throw new NpyFormatException(name + ": the header is not a dict: " + text.strip());
        }
        if (!dict.keySet().equals(KEYS)) {
            throw new NpyFormatException(name + ": the header has keys " + new TreeSet<>(dict.keySet()) + ", not " + KEYS);
        }
        if (!FLOAT32.equals(dict.get("descr"))) {
            throw new NpyFormatException(name + ": dtype " + lit.repr(dict.get("descr"))
                    + " is not little-endian float32 ('" + FLOAT32 + "')");
        }
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean)) {
            throw new NpyFormatException(name + ": fortran_order is not a bool: " + lit.repr(fortran));
        }
        if ((Boolean) fortran) {
            throw new NpyFormatException(name + ": the array is in Fortran order; only C order is supported");
        }
        if (!(dict.get("shape") instanceof List<?> dims)) {
            throw new NpyFormatException(name + ": shape is not a tuple: " + lit.repr(dict.get("shape")));
        }
        int[] shape = new int[dims.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new NpyFormatException(name + ": shape " + lit.repr(dims) + " is not a tuple of sizes");
            }
            shape[i] = (int) (long) d;
            count *= d;
            if (count > MAX_FLOATS) {
                throw new NpyFormatException(name + ": shape " + lit.repr(dims) + " has more than " + MAX_FLOATS + " elements");
            }
        }
        return shape;
    }

    /** The Python literals a header dict uses: dicts, tuples, strings, True/False, integers. */
    private static final class Literal {
        private final String s;
        private final String name;
        private int pos;

        Literal(String s, String name) {
            this.s = s;
            this.name = name;
        }

        Object value() throws NpyFormatException {
            skipSpace();
            if (pos >= s.length()) {
                throw fail("unexpected end");
            }
            char c = s.charAt(pos);
            if (c == '{') {
                return dict();
            }
            if (c == '(') {
                return tuple();
            }
            if (c == '\'' || c == '"') {
                return string(c);
            }
            if (s.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (c == '-' || Character.isDigit(c)) {
                return integer();
            }
            throw fail("unexpected '" + c + "'");
        }

        void end() throws NpyFormatException {
            skipSpace();
            if (pos != s.length()) {
                throw fail("text after the dict");
            }
        }

        private Map<String, Object> dict() throws NpyFormatException {
            Map<String, Object> m = new LinkedHashMap<>();
            pos++;
            while (!closes('}')) {
                Object key = value();
                if (!(key instanceof String k)) {
                    throw fail("a dict key is not a string");
                }
                skipSpace();
                expect(':');
                if (m.put(k, value()) != null) {
                    throw fail("key '" + k + "' repeats");
                }
                separator('}');
            }
            return m;
        }

        /** A parenthesised single value without a comma is that value, as in Python. */
        private Object tuple() throws NpyFormatException {
            List<Object> items = new ArrayList<>();
            boolean comma = false;
            pos++;
            while (!closes(')')) {
                items.add(value());
                comma = separator(')');
            }
            return items.size() == 1 && !comma ? items.get(0) : items;
        }

        private String string(char quote) throws NpyFormatException {
            int end = s.indexOf(quote, pos + 1);
            if (end < 0) {
                throw fail("unterminated string");
            }
            String v = s.substring(pos + 1, end);
            if (v.indexOf('\\') >= 0) {
                throw fail("escapes in strings are not supported");
            }
            pos = end + 1;
            return v;
        }

        private Long integer() throws NpyFormatException {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            try {
                Long v = Long.parseLong(s.substring(start, pos));
                if (pos < s.length() && s.charAt(pos) == 'L') {
                    pos++; // Python 2 long suffix, which NumPy also drops
                }
                return v;
            } catch (NumberFormatException e) {
                throw fail("bad integer '" + s.substring(start, pos) + "'");
            }
        }

        private boolean closes(char close) throws NpyFormatException {
            skipSpace();
            if (pos >= s.length()) {
                throw fail("missing '" + close + "'");
            }
            if (s.charAt(pos) == close) {
                pos++;
                return true;
            }
            return false;
        }

        /** Consumes a comma (true) or checks that {@code close} follows (false). */
        private boolean separator(char close) throws NpyFormatException {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == ',') {
                pos++;
                return true;
            }
            if (pos < s.length() && s.charAt(pos) == close) {
                return false;
            }
            throw fail("expected ',' or '" + close + "'");
        }

        private void expect(char c) throws NpyFormatException {
            if (pos >= s.length() || s.charAt(pos) != c) {
                throw fail("expected '" + c + "'");
            }
            pos++;
        }

        private void skipSpace() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        String repr(Object v) {
            if (v instanceof String str) {
                return "'" + str + "'";
            }
            if (v instanceof List<?> l) {
                return l.stream().map(this::repr).collect(Collectors.joining(", ", "(", l.size() == 1 ? ",)" : ")"));
            }
            return String.valueOf(v);
        }

        private NpyFormatException fail(String problem) {
            return new NpyFormatException(name + ": cannot parse the header at character " + pos + ": " + problem
                    + " in " + s.strip());
        }
    }
}
