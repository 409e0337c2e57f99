package dev.portcullis.watch;

/** Where a request came from: the peer address and the client's user agent, as recorded. */
public record Origin(String ip, String userAgent) {

  public static final Origin LOCAL = new Origin("local", "portcullis-cli");

  public Origin {
    ip = clip(ip, 64);
    userAgent = clip(userAgent, 256);
  }

  private static String clip(String value, int max) {
    if (value == null) {
      return null;
    }
    return value.length() <= max ? value : value.substring(0, max);
  }
}
