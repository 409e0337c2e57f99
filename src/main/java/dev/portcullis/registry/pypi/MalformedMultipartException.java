package dev.portcullis.registry.pypi;

import java.io.IOException;

/** The request body is not well-formed multipart/form-data (RFC 7578). */
final class MalformedMultipartException extends IOException {
    MalformedMultipartException(String message) {
        super(message);
    }
}
