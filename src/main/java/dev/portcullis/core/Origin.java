package dev.portcullis.core;

/** Where a request came from: the peer address and the client's user agent, as recorded. */
public record Origin(String ip, String userAgent) {

    public static final Origin LOCAL = new Origin("local", "portcullis-cli");

    public Origin {
        ip = Printable.of(ip, 64);
        userAgent = Printable.of(userAgent, 256);
    }
}
