package dev.portcullis.app.http;

/**
 * An expected HTTP failure: a status and a message safe to show the client. Thrown by handlers and
 * turned into a response in one place ({@link HttpServer}), in the format of the route's protocol.
 */
public final class HttpProblem extends RuntimeException {

  private final int status;

  public HttpProblem(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static HttpProblem badRequest(String message) {
    return new HttpProblem(400, message);
  }

  public static HttpProblem notFound(String message) {
    return new HttpProblem(404, message);
  }
}
