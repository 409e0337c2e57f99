package dev.portcullis.registry.pypi;

import java.util.List;
import java.util.Locale;

/** Server-driven content negotiation for the Simple API (PEP 691). */
final class MediaTypes {

    static final String JSON_V1 = "application/vnd.pypi.simple.v1+json";
    static final String HTML_V1 = "application/vnd.pypi.simple.v1+html";
    static final String HTML = "text/html";

    /** What we offer, in our order of preference for equal quality. */
    private static final List<String> OFFERED = List.of(JSON_V1, HTML_V1, HTML);

    private MediaTypes() {}

    /**
     * Picks the offered type with the highest quality in {@code accept}. No header, a wildcard-only
     * header, or nothing acceptable answers {@code text/html}, as PyPI does.
     */
    static String choose(String accept) {
        if (accept == null || accept.isBlank()) {
            return HTML;
        }
        String best = null;
        double bestQ = 0;
        boolean specific = false;
        for (String range : accept.split(",")) {
            String[] params = range.split(";");
            String type = params[0].trim().toLowerCase(Locale.ROOT);
            double q = 1.0;
            for (int i = 1; i < params.length; i++) {
                String p = params[i].trim();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (type.equals("application/vnd.pypi.simple.latest+json")) {
                type = JSON_V1;
            } else if (type.equals("application/vnd.pypi.simple.latest+html")) {
                type = HTML_V1;
            }
            if (OFFERED.contains(type) && q > 0) {
                specific = true;
                if (q > bestQ || (q == bestQ && OFFERED.indexOf(type) < OFFERED.indexOf(best))) {
                    best = type;
                    bestQ = q;
                }
            }
        }
        return specific ? best : HTML;
    }
}
