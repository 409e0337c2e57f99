package dev.portcullis.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real public test data kept in the repository under {@code src/test/resources/testdata} (each
 * folder's README names its source and licence), resolved through the test classpath so tests
 * never read anything outside the project.
 */
public final class TestData {

    private TestData() {}

    /** {@code testdata/<relative>}, which must exist. */
    public static Path path(String relative) {
        URL url = TestData.class.getResource("/testdata/" + relative);
        if (url == null) {
            throw new IllegalStateException("test data testdata/" + relative + " is missing from src/test/resources");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A directory a real Debian package installs; fails naming the package when it is absent. */
    public static Path debianDirectory(String directory, String packages) {
        Path path = Path.of(directory);
        if (!Files.isDirectory(path)) {
            throw new IllegalStateException(directory + " is missing: install Debian's " + packages
                    + " (apt-get install " + packages + "; .ci/run does)");
        }
        return path;
    }
}
