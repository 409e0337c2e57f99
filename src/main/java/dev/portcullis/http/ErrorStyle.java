package dev.portcullis.http;

/** How a route family reports errors, so each client sees its own protocol's format. */
public enum ErrorStyle {
    /**
     * PyPI's upload and index endpoints: the message is the HTTP reason phrase (twine prints it) and
     * the plain-text body.
     */
    PYPI,
    /** Portcullis' own API: {@code {"error": {"status": 400, "message": "..."}}}. */
    JSON,
    /**
     * npm's registry: {@code {"error": "..."}} (the npm CLI prints {@code error} after the status and
     * reason phrase).
     */
    NPM,
    /**
     * Maven repositories: Maven prints the status code and the reason phrase ("status code: 400,
     * reason phrase: …"), so the message is the reason phrase, and the plain-text body.
     */
    MAVEN,
    /**
     * The approver's web page: a small HTML page with the message (escaped), under the page's
     * security headers.
     */
    HTML
}
