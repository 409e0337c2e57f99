package dev.portcullis.watch.alert;

/** SMTP settings for e-mail alerts; {@code host} null means no e-mail. The password is never printed. */
public record Smtp(String host, int port, String from, String user, String password) {
    @Override
    public String toString() {
        return "Smtp[" + host + ":" + port + " from " + from + (user == null ? "" : " as " + user) + "]";
    }
}
