package dev.portcullis.registry.pypi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one reader of core metadata ({@code METADATA}, {@code PKG-INFO}, and the {@code WHEEL} file,
 * which has the same form): an RFC 822 style header block, keys case-insensitive (lower-cased here),
 * continuation lines starting with whitespace, the body after the first blank line ignored. Lenient:
 * a line that is not a header is skipped, so a hostile file still yields what it does say.
 */
final class CoreMetadata {

    private CoreMetadata() {}

    /** Every header, in order, each key with all its values; empty for {@code null}. */
    static Map<String, List<String>> headers(String text) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        if (text == null) {
            return fields;
        }
        String key = null;
        StringBuilder value = new StringBuilder();
        for (String line : text.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && key != null) {
                value.append('\n').append(line.strip());
                continue;
            }
            if (key != null) {
                fields.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(value.toString().strip());
                key = null;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                value.setLength(0);
                value.append(line.substring(colon + 1));
            }
        }
        if (key != null) {
            fields.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(value.toString().strip());
        }
        return fields;
    }
}
