package dev.portcullis.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * JSON in its RFC 8785 (JCS) canonical form, the one text a value has whatever wrote it: no
 * whitespace; object members sorted by their names' UTF-16 code units (Java's {@link
 * String#compareTo}); strings with only {@code "}, {@code \}, and U+0000..U+001F escaped ({@code
 * \b \t \n \f \r}, the rest as backslash-u escapes in lower-case hex), everything else as is; numbers as
 * ECMAScript writes them (shortest round-trip digits; NaN and infinities are not JSON). What is
 * hashed or signed (the event chain) is hashed in this form, never in a library's output.
 */
public final class CanonicalJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CanonicalJson() {}

    /** The canonical form of {@code value} (maps, lists, strings, numbers, booleans, null, or a {@link JsonNode}). */
    public static String of(Object value) {
        StringBuilder out = new StringBuilder();
        write(value instanceof JsonNode node ? node : JSON.valueToTree(value), out);
        return out.toString();
    }

    /** The canonical form of the JSON text {@code json}. */
    public static String canonicalize(String json) {
        try {
            return of(JSON.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case NULL, MISSING -> out.append("null");
            case BOOLEAN -> out.append(node.booleanValue());
            case STRING -> string(node.textValue(), out);
            case NUMBER -> number(node, out);
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case OBJECT -> {
                List<String> names = new ArrayList<>();
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                names.sort(String::compareTo); // UTF-16 code units, as RFC 8785 section 3.2.3 requires
                out.append('{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    string(names.get(i), out);
                    out.append(':');
                    write(node.get(names.get(i)), out);
                }
                out.append('}');
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
        }
    }

    static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00")
                                .append(Character.forDigit(c >> 4, 16))
                                .append(Character.forDigit(c & 0xf, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void number(JsonNode node, StringBuilder out) {
        if (node.isIntegralNumber() && node.canConvertToLong() && Math.abs(node.longValue()) <= (1L << 53)) {
            out.append(node.longValue());
            return;
        }
        out.append(es6(node.doubleValue()));
    }

    /** ECMAScript's Number::toString for a double (ECMA-262, 7.1.12.1), from Java's shortest round-trip digits. */
    static String es6(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("NaN and infinities are not JSON numbers");
        }
        if (d == 0) {
            return "0"; // and -0
        }
        String sign = d < 0 ? "-" : "";
        BigDecimal shortest = shortest(Math.abs(d));
        String digits = shortest.unscaledValue().toString();
        int k = digits.length();
        int n = k - shortest.scale(); // the decimal point sits after n digits
        String body;
        if (k <= n && n <= 21) {
            body = digits + "0".repeat(n - k);
        } else if (0 < n && n <= 21) {
            body = digits.substring(0, n) + "." + digits.substring(n);
        } else if (-6 < n && n <= 0) {
            body = "0." + "0".repeat(-n) + digits;
        } else {
            int e = n - 1;
            body = digits.charAt(0) + (k > 1 ? "." + digits.substring(1) : "") + "e" + (e < 0 ? "-" : "+")
                    + Math.abs(e);
        }
        return sign + body;
    }

    /**
     * The shortest decimal that reads back as {@code x}, closest to it among the shortest. Java's
     * {@link Double#toString} gives that, except that it prefers two digits to one (4.9E-324 where
     * 5E-324 also reads back): one digit is tried then.
     */
    private static BigDecimal shortest(double x) {
        BigDecimal printed = new BigDecimal(Double.toString(x)).stripTrailingZeros();
        if (printed.precision() != 2) {
            return printed;
        }
        BigDecimal exact = new BigDecimal(x);
        BigDecimal best = null;
        for (BigDecimal candidate : new BigDecimal[] {
            printed.round(new java.math.MathContext(1, java.math.RoundingMode.FLOOR)),
            printed.round(new java.math.MathContext(1, java.math.RoundingMode.CEILING))
        }) {
            if (Double.parseDouble(candidate.toString()) == x
                    && (best == null
                            || candidate
                                            .subtract(exact)
                                            .abs()
                                            .compareTo(best.subtract(exact).abs())
                                    < 0)) {
                best = candidate;
            }
        }
        return best == null ? printed : best.stripTrailingZeros();
    }
}
