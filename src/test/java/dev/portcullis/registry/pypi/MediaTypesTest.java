package dev.portcullis.registry.pypi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MediaTypesTest {

    @Test
    void negotiatesLikePyPi() {
        // pip's and uv's Accept headers (docs/API.md cites them).
        assertThat(
                        MediaTypes.choose(
                                "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"))
                .isEqualTo(MediaTypes.JSON_V1);
        assertThat(
                        MediaTypes.choose(
                                "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"))
                .isEqualTo(MediaTypes.JSON_V1);
        assertThat(MediaTypes.choose("application/vnd.pypi.simple.latest+json")).isEqualTo(MediaTypes.JSON_V1);
        assertThat(MediaTypes.choose("text/html")).isEqualTo(MediaTypes.HTML);
        assertThat(MediaTypes.choose("application/vnd.pypi.simple.v1+html")).isEqualTo(MediaTypes.HTML_V1);
        assertThat(MediaTypes.choose(null)).isEqualTo(MediaTypes.HTML);
        assertThat(MediaTypes.choose("*/*")).isEqualTo(MediaTypes.HTML);
        assertThat(MediaTypes.choose("application/json")).isEqualTo(MediaTypes.HTML);
        assertThat(MediaTypes.choose("application/vnd.pypi.simple.v1+json;q=0, text/html"))
                .isEqualTo(MediaTypes.HTML);
    }
}
