package dev.portcullis.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A streaming reader of {@code multipart/form-data} bodies (RFC 7578 / RFC 2046 §5.1).
 *
 * <p>Parts are read one after another; each part's body is an {@link InputStream} that ends at the
 * next boundary, so a multi-gigabyte file part passes through one fixed buffer. Header blocks are
 * bounded. Anything that does not follow the grammar raises {@link MalformedMultipartException}.
 */
public final class MultipartReader {

    private static final int BUFFER = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    /** One part's headers; read its body from {@link #body()} before asking for the next part. */
    public record Part(String name, String filename, String contentType, InputStream body) {}

    private final InputStream in;
    private final byte[] delimiter; // CRLF "--" boundary
    private final byte[] buf;
    private int pos;
    private int limit;
    private boolean eof;
    private boolean finished;
    private PartStream current;

    /** RFC 2046 §5.1.1: a boundary is 1 to 70 characters. */
    public static final int MAX_BOUNDARY = 70;

    public MultipartReader(InputStream in, String boundary) {
        if (boundary == null || boundary.isEmpty() || boundary.length() > MAX_BOUNDARY) {
            throw new IllegalArgumentException("multipart boundary must be 1-70 characters");
        }
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.buf = new byte[BUFFER + delimiter.length];
        // The first delimiter has no leading CRLF; pretend it had one so one search serves all.
        buf[0] = '\r';
        buf[1] = '\n';
        limit = 2;
    }

    /** Extracts the boundary parameter of a {@code multipart/form-data} Content-Type, or null. */
    public static String boundaryOf(String contentType) {
        if (contentType == null) {
            return null;
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase("multipart/form-data")) {
            return null;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String value = p.substring("boundary=".length());
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    /** The next part, or {@code null} after the closing delimiter. Skips an unread previous body. */
    public Part next() throws IOException {
        if (finished) {
            return null;
        }
        if (current == null) {
            skipToFirstDelimiter();
        } else {
            current.skipRemaining();
        }
        // After a delimiter: "--" closes the body, CRLF starts the next part.
        ensure(2);
        if (limit - pos < 2) {
            throw new MalformedMultipartException("body ends right after a boundary");
        }
        if (buf[pos] == '-' && buf[pos + 1] == '-') {
            finished = true;
            return null;
        }
        if (buf[pos] != '\r' || buf[pos + 1] != '\n') {
            throw new MalformedMultipartException("boundary is not followed by CRLF");
        }
        pos += 2;
        Map<String, String> headers = readHeaders();
        String disposition = headers.get("content-disposition");
        if (disposition == null) {
            throw new MalformedMultipartException("part without Content-Disposition");
        }
        Map<String, String> params = dispositionParams(disposition);
        if (params.get("name") == null) {
            throw new MalformedMultipartException("part without a name");
        }
        current = new PartStream();
        return new Part(params.get("name"), params.get("filename"), headers.get("content-type"), current);
    }

    private void skipToFirstDelimiter() throws IOException {
        current = new PartStream(); // the preamble, treated as a nameless part
        current.skipRemaining();
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        int consumed = 0;
        while (true) {
            int lineEnd = findCrlf();
            if (lineEnd < 0) {
                throw new MalformedMultipartException("part headers too long or not terminated");
            }
            String line = new String(buf, pos, lineEnd - pos, StandardCharsets.UTF_8);
            consumed += lineEnd - pos + 2;
            pos = lineEnd + 2;
            if (consumed > MAX_HEADER_BYTES) {
                throw new MalformedMultipartException("part headers too long");
            }
            if (line.isEmpty()) {
                return headers;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedMultipartException("malformed part header");
            }
            headers.put(
                    line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).trim());
        }
    }

    /** Index of the next CRLF at or after pos, filling the buffer as needed; -1 if none comes. */
    private int findCrlf() throws IOException {
        while (true) {
            for (int i = pos; i + 1 < limit; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n') {
                    return i;
                }
            }
            int before = limit - pos;
            fill();
            if (limit - pos == before) {
                return -1; // the stream ended, or the buffer is full without a line end
            }
        }
    }

    private static Map<String, String> dispositionParams(String disposition) {
        Map<String, String> params = new LinkedHashMap<>();
        String[] pieces = disposition.split(";");
        if (!pieces[0].trim().equalsIgnoreCase("form-data")) {
            return params;
        }
        for (int i = 1; i < pieces.length; i++) {
            String piece = pieces[i].trim();
            int eq = piece.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = piece.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = piece.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1)
                        .replace("\\\"", "\"")
                        .replace("\\\\", "\\");
            }
            params.putIfAbsent(key, value);
        }
        return params;
    }

    /** Makes at least {@code n} bytes available after pos unless the stream ends. */
    private void ensure(int n) throws IOException {
        while (limit - pos < n && !eof) {
            int before = limit - pos;
            fill();
            if (limit - pos == before && !eof) {
                throw new IllegalStateException("buffer cannot hold " + n + " bytes");
            }
        }
    }

    /** Compacts the buffer and reads more input into it. */
    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length || eof) {
            return;
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    private int indexOfDelimiter() {
        int last = limit - delimiter.length;
        outer:
        for (int i = pos; i <= last; i++) {
            if (buf[i] != delimiter[0]) {
                continue;
            }
            for (int j = 1; j < delimiter.length; j++) {
                if (buf[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The body of the current part: ends where the next delimiter starts. */
    private final class PartStream extends InputStream {
        private boolean done;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] target, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            while (true) {
                int at = indexOfDelimiter();
                if (at == pos) {
                    pos += delimiter.length;
                    done = true;
                    return -1;
                }
                int safe = at >= 0 ? at - pos : limit - pos - (delimiter.length - 1);
                if (safe > 0) {
                    int n = Math.min(len, safe);
                    System.arraycopy(buf, pos, target, off, n);
                    pos += n;
                    return n;
                }
                if (eof) {
                    throw new MalformedMultipartException("body ends inside a part (no closing boundary)");
                }
                fill();
            }
        }

        void skipRemaining() throws IOException {
            byte[] scratch = new byte[8192];
            while (read(scratch, 0, scratch.length) >= 0) {
                // discard
            }
        }

        @Override
        public void close() {
            // Closing a part does not close the request; the reader skips what is left.
        }
    }
}
