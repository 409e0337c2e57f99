package dev.portcullis.publish;

/** Limits for uploads. {@code maxFileBytes} bounds one distribution file. */
public record PublishSettings(long maxFileBytes) {

    public static final long DEFAULT_MAX_FILE_BYTES = 1024L * 1024 * 1024;

    public PublishSettings {
        if (maxFileBytes <= 0) {
            throw new IllegalArgumentException("max file size must be positive");
        }
    }
}
