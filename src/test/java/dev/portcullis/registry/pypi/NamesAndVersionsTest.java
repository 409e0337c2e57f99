package dev.portcullis.registry.pypi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NamesAndVersionsTest {

    @ParameterizedTest
    @CsvSource({
        "Foo.Bar,foo-bar",
        "foo__bar,foo-bar",
        "FOO-_-bar,foo-bar",
        "a,a",
        "Django,django",
        "zope.interface,zope-interface"
    })
    void normalizesProjectNamesPerPep503(String name, String normalized) {
        assertThat(ProjectName.of(name).normalized()).isEqualTo(normalized);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-foo", "foo-", ".foo", "foo bar", "foo/bar", "../etc", "ünicode", "a\u0000b"})
    void refusesInvalidProjectNames(String name) {
        assertThatThrownBy(() -> ProjectName.of(name)).hasMessageContaining("is an invalid value for Name");
    }

    @ParameterizedTest
    @CsvSource({
        "1.0,1.0,1",
        "1.0.0,1.0.0,1",
        "v1.2,1.2,1.2",
        "1.0a1,1.0a1,1a1",
        "1.0-alpha-1,1.0a1,1a1",
        "1.0.preview2,1.0rc2,1rc2",
        "1.0c1,1.0rc1,1rc1",
        "1.0-1,1.0.post1,1.post1",
        "1.0.post,1.0.post0,1.post0",
        "1.0-dev3,1.0.dev3,1.dev3",
        "01.002,1.2,1.2",
        "1!2.0,1!2.0,1!2",
        "0!1.0,1.0,1",
        "2.6.2,2.6.2,2.6.2",
        "1.0.0.0.0,1.0.0.0.0,1"
    })
    void normalizesVersionsPerPep440(String text, String normalized, String canonical) {
        Pep440Version version = Pep440Version.parse(text);
        assertThat(version.normalized()).isEqualTo(normalized);
        assertThat(version.canonical()).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1.0+local", "1..0", "1.0-", "1.0 beta", "1.0/2"})
    void refusesInvalidAndLocalVersions(String text) {
        assertThatThrownBy(() -> Pep440Version.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesDistributionFileNames() {
        DistributionFilename wheel = DistributionFilename.parse("Foo_Bar-1.0-1-py3-none-any.whl", PackageType.WHEEL);
        assertThat(wheel.namePart()).isEqualTo("Foo_Bar");
        assertThat(wheel.versionPart()).isEqualTo("1.0");
        wheel.requireMatches(ProjectName.of("foo-bar"), Pep440Version.parse("1.0.0"));

        DistributionFilename sdist = DistributionFilename.parse("foo-bar-2.0.tar.gz", PackageType.SDIST);
        assertThat(sdist.namePart()).isEqualTo("foo-bar");
        assertThat(sdist.stem()).isEqualTo("foo-bar-2.0");
        sdist.requireMatches(ProjectName.of("Foo.Bar"), Pep440Version.parse("2.0"));
    }

    @Test
    void refusesFileNamesThatDoNotFit() {
        assertThatThrownBy(() -> DistributionFilename.parse("foo-1.0.tar.gz", PackageType.WHEEL))
                .hasMessageContaining("Invalid file extension");
        assertThatThrownBy(() -> DistributionFilename.parse("foo-1.0.whl", PackageType.WHEEL))
                .hasMessageContaining("wrong number of parts");
        assertThatThrownBy(() -> DistributionFilename.parse("foo-1.0-x-py3-none-any.whl", PackageType.WHEEL))
                .hasMessageContaining("build tag");
        assertThatThrownBy(() -> DistributionFilename.parse("foo-1.0.exe", PackageType.SDIST))
                .hasMessageContaining("Invalid file extension");
        assertThatThrownBy(() -> DistributionFilename.parse("../foo-1.0.tar.gz", PackageType.SDIST))
                .hasMessageContaining("Invalid file name");
        assertThatThrownBy(() -> DistributionFilename.parse("foo-1.0.tar.gz", PackageType.SDIST)
                        .requireMatches(ProjectName.of("bar"), Pep440Version.parse("1.0")))
                .hasMessageContaining("Start filename for 'bar'");
    }
}
