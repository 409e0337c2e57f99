package dev.portcullis.net;

import java.io.IOException;

/** The outbound policy refused a request; the message names the rule, never a response. */
public final class OutboundRefused extends IOException {
    public OutboundRefused(String message) {
        super(message);
    }
}
