package dev.portcullis.events;

/**
 * ArcSight Common Event Format lines (for syslog and SIEM export): a pipe-separated header, then
 * {@code key=value} extensions. Header fields escape {@code \} and {@code |}; extension values
 * escape {@code \}, {@code =} and line breaks.
 */
public final class Cef {

    private Cef() {}

    public static String line(
            String signature,
            String name,
            int severity,
            long timeMillis,
            String project,
            String subject,
            String message,
            String externalId) {
        StringBuilder s = new StringBuilder("CEF:0|Portcullis|Portcullis|1|")
                .append(header(signature))
                .append('|')
                .append(header(name))
                .append('|')
                .append(Math.max(0, Math.min(10, severity)))
                .append('|');
        s.append("rt=").append(timeMillis);
        if (externalId != null) {
            s.append(" externalId=").append(extension(externalId));
        }
        if (project != null) {
            s.append(" cs1Label=project cs1=").append(extension(project));
        }
        if (subject != null) {
            s.append(" cs2Label=subject cs2=").append(extension(subject));
        }
        if (message != null && !message.isEmpty()) {
            s.append(" msg=").append(extension(message.length() > 1000 ? message.substring(0, 1000) + "…" : message));
        }
        return s.toString();
    }

    static String header(String value) {
        return value == null
                ? ""
                : value.replace("\\", "\\\\").replace("|", "\\|").replaceAll("[\\r\\n]+", " ");
    }

    static String extension(String value) {
        return value.replace("\\", "\\\\")
                .replace("=", "\\=")
                .replace("\r", "\\r")
                .replace("\n", "\\n");
    }
}
