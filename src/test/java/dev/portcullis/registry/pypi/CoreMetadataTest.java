package dev.portcullis.registry.pypi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CoreMetadataTest {

    @Test
    void readsHeadersUntilTheBody() {
        var h = CoreMetadata.headers(
                "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nRequires-Dist: a\nrequires-dist: b;\n  extra == 'x'\n\nName: body\n");
        assertThat(h.get("name")).containsExactly("foo");
        assertThat(h.get("version")).containsExactly("1.0");
        assertThat(h.get("requires-dist")).containsExactly("a", "b;\nextra == 'x'");
    }

    @Test
    void skipsWhatIsNotAHeader() {
        var h = CoreMetadata.headers("garbage line\n: no key\nName: x\n");
        assertThat(h).containsOnlyKeys("name");
        assertThat(CoreMetadata.headers(null)).isEmpty();
    }
}
