package dev.portcullis.http;

import java.io.IOException;

/** The request body is not well-formed multipart/form-data (RFC 7578). */
public final class MalformedMultipartException extends IOException {
    public MalformedMultipartException(String message) {
        super(message);
    }
}
