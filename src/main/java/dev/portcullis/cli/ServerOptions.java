package dev.portcullis.cli;

import picocli.CommandLine.Option;

/** How a command reaches a running server's API. The token is best given by environment. */
final class ServerOptions {

    @Option(
            names = "--server",
            paramLabel = "URL",
            description = "Portcullis server URL. Default: ${DEFAULT-VALUE} (or PORTCULLIS_SERVER).",
            defaultValue = "${env:PORTCULLIS_SERVER:-http://127.0.0.1:8080}")
    String server;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description =
                    "API token. Prefer the PORTCULLIS_TOKEN environment variable, which stays out of shell history.",
            defaultValue = "${env:PORTCULLIS_TOKEN}")
    String token;

    ApiClient client() {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("an API token is required: set PORTCULLIS_TOKEN or pass --token");
        }
        return new ApiClient(server, token);
    }

    /** A client that sends no token (enrolment with a ticket, which is its own credential). */
    ApiClient anonymousClient() {
        return new ApiClient(server, null);
    }
}
