package dev.portcullis.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.gate.Assessment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each detector on a synthetic history, with the evidence a maintainer reads. */
class DetectorsTest {

    /** Monday 2026-01-05 10:00 UTC. */
    private static final Instant START = Instant.parse("2026-01-05T10:00:00Z");

    private static Upload wheel(String version, long size, Instant at, String ip, boolean trusted) {
        return new Upload(
                "lightning-" + version + "-py3-none-any.whl",
                "wheel",
                size,
                at,
                ip,
                trusted ? "twine/5.1.1 CPython/3.12" : "twine/5.1.1",
                trusted ? "tp-1" : "tok-9",
                trusted ? "github:Lightning-AI/pytorch-lightning" : "mallory",
                trusted);
    }

    /** 20 releases, two weeks apart, Mondays 10:00 UTC, by the trusted publisher from one network, about 854 kB. */
    private static Baseline history() {
        Baseline baseline = new Baseline();
        for (int i = 0; i < 20; i++) {
            Instant at = START.plus(Duration.ofDays(14L * i)).plus(Duration.ofMinutes(i % 3 * 20L));
            baseline.add(new ReleaseFacts(
                    "2." + (i / 10) + "." + (i % 10),
                    List.of(wheel(
                            "2." + (i / 10) + "." + (i % 10),
                            850_000 + i * 500,
                            at,
                            "198.51.100." + (7 + i % 2),
                            true)),
                    deps("torch>=2.1", "numpy")));
        }
        return baseline;
    }

    private static final dev.portcullis.registry.pypi.PypiEcosystem PYPI =
            new dev.portcullis.registry.pypi.PypiEcosystem();

    private static List<dev.portcullis.publish.Ecosystem.Dependency> deps(String... written) {
        return java.util.Arrays.stream(written).map(PYPI::dependency).toList();
    }

    private static List<Assessment.Signal> run(ReleaseFacts release, Baseline baseline, List<ReleaseFacts> recent) {
        return Detectors.run(release, baseline, new Detector.Recent(release.firstUpload(), recent));
    }

    @Test
    void theStolenTokenUploadFiresEachDetectorWithEvidence() {
        Baseline baseline = history();
        Instant night = Instant.parse("2026-10-04T03:12:00Z"); // a Sunday
        ReleaseFacts previousAttempt = new ReleaseFacts(
                "2.6.2",
                List.of(wheel("2.6.2", 2_600_000, night.minus(Duration.ofMinutes(10)), "203.0.113.7", false)),
                List.of());
        ReleaseFacts attack = new ReleaseFacts(
                "2.6.3",
                List.of(wheel("2.6.3", 2_600_000, night, "203.0.113.7", false)),
                deps("torch>=2.1", "numpy", "router-runtime>=1.0"));

        List<Assessment.Signal> signals = run(attack, baseline, List.of(previousAttempt));

        assertThat(signals)
                .extracting(Assessment.Signal::detector, Assessment.Signal::severity, Assessment.Signal::evidence)
                .contains(
                        org.assertj.core.groups.Tuple.tuple(
                                "network",
                                "medium",
                                "uploaded from 203.0.113.7, a network (203.0.113.0/24) never seen for this project in 20 release(s)"),
                        org.assertj.core.groups.Tuple.tuple(
                                "credential",
                                "high",
                                "uploaded with a long-lived API token (tok-9 of mallory), but 20 of the project's 20 releases, including the latest, came from its trusted publisher"),
                        org.assertj.core.groups.Tuple.tuple(
                                "credential",
                                "medium",
                                "uploaded by mallory, who never uploaded a release of this project (uploaders so far: github:Lightning-AI/pytorch-lightning)"),
                        org.assertj.core.groups.Tuple.tuple(
                                "time",
                                "medium",
                                "uploaded at 03:12 UTC on Sunday; the project's 20 releases arrived between 10:00-10:59 UTC"),
                        org.assertj.core.groups.Tuple.tuple(
                                "cadence",
                                "medium",
                                "version 2.6.3 came 10 minutes after 2.6.2; the project's median gap between releases is 14 days"),
                        org.assertj.core.groups.Tuple.tuple(
                                "dependencies",
                                "medium",
                                "adds router-runtime>=1.0, never used by this project in 20 release(s)"));
        assertThat(signals).anySatisfy(s -> {
            assertThat(s.detector()).isEqualTo("size");
            assertThat(s.severity()).isEqualTo("medium");
            assertThat(s.evidence())
                    .isEqualTo(
                            "lightning-2.6.3-py3-none-any.whl is 2.6 MB, 3.0 times the median 854.8 kB of the project's last 20 wheel files (MAD 3.7 kB)");
        });
        // Combined as documented: several independent medium-or-worse signals reach quarantine.
        assertThat(Assessment.of(signals).risk()).isGreaterThanOrEqualTo(95);
    }

    @Test
    void aBurstOfVersionsWithinTheHourIsHigh() {
        Baseline baseline = history();
        Instant night = Instant.parse("2026-10-04T03:00:00Z");
        List<ReleaseFacts> wave = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String version = "2.6." + i;
            wave.add(new ReleaseFacts(
                    version,
                    List.of(wheel(version, 860_000, night.plus(Duration.ofMinutes(3L * i)), "198.51.100.7", true)),
                    deps("torch>=2.1", "numpy")));
        }
        ReleaseFacts fifth = wave.get(4);
        List<Assessment.Signal> signals = run(fifth, baseline, wave.subList(0, 4));
        assertThat(signals)
                .filteredOn(s -> s.detector().equals("cadence"))
                .extracting(Assessment.Signal::severity, Assessment.Signal::evidence)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "high",
                                "5 versions within an hour (2.6.0, 2.6.1, 2.6.2, 2.6.3, 2.6.4); the project's median gap between releases is 14 days"));
        assertThat(run(wave.get(3), baseline, wave.subList(0, 3)))
                .filteredOn(s -> s.detector().equals("cadence"))
                .extracting(Assessment.Signal::severity)
                .as("four versions within the hour: each only came soon after another")
                .containsExactly("medium");
        assertThat(run(fifth, new Baseline(), wave.subList(0, 4)))
                .filteredOn(s -> s.detector().equals("cadence"))
                .extracting(Assessment.Signal::severity, Assessment.Signal::evidence)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "medium",
                                "5 versions within an hour (2.6.0, 2.6.1, 2.6.2, 2.6.3, 2.6.4); the project has no released version yet"));

        Baseline fast = new Baseline();
        for (int i = 0; i < 10; i++) {
            String version = "0.0." + i;
            fast.add(new ReleaseFacts(
                    version,
                    List.of(wheel(version, 860_000, START.plus(Duration.ofMinutes(10L * i)), "198.51.100.7", true)),
                    deps("numpy")));
        }
        assertThat(run(fifth, fast, wave.subList(0, 4)))
                .filteredOn(s -> s.detector().equals("cadence"))
                .as("a project that releases every few minutes is not bursting")
                .isEmpty();
    }

    @Test
    void anOrdinaryReleaseRaisesNothing() {
        Baseline baseline = history();
        Instant usual = START.plus(Duration.ofDays(14L * 20));
        ReleaseFacts next = new ReleaseFacts(
                "2.2.0", List.of(wheel("2.2.0", 862_000, usual, "198.51.100.8", true)), deps("torch>=2.1", "numpy"));

        assertThat(run(next, baseline, List.of())).isEmpty();
        assertThat(run(next, new Baseline(), List.of()))
                .as("a first release has nothing to compare with")
                .isEmpty();
    }

    /** Issue 18: a compromised release whose only change is a look-alike of a well-known dependency. */
    @Test
    void aLookAlikeDependencyIsHighEvenWhenNothingElseChanged() {
        Baseline baseline = history();
        Instant usual = START.plus(Duration.ofDays(14L * 20));
        ReleaseFacts next = new ReleaseFacts(
                "2.2.0",
                List.of(wheel("2.2.0", 862_000, usual, "198.51.100.8", true)),
                deps("torch>=2.1", "numpy", "jeIlyfish>=0.9"));
        assertThat(run(next, baseline, List.of()))
                .extracting(Assessment.Signal::detector, Assessment.Signal::severity)
                .contains(org.assertj.core.groups.Tuple.tuple("dependencies", "high"));
        assertThat(run(next, baseline, List.of()).stream()
                        .filter(s -> s.severity().equals("high"))
                        .findFirst()
                        .orElseThrow()
                        .evidence())
                .contains("jeIlyfish>=0.9 (imitates jellyfish)");
        assertThat(run(next, new Baseline(), List.of()))
                .as("also in a project's first release")
                .extracting(Assessment.Signal::severity)
                .containsExactly("high");
        ReleaseFacts genuine = new ReleaseFacts(
                "2.2.0",
                List.of(wheel("2.2.0", 862_000, usual, "198.51.100.8", true)),
                deps("torch>=2.1", "numpy", "jellyfish>=0.9"));
        assertThat(run(genuine, baseline, List.of()))
                .extracting(Assessment.Signal::severity)
                .containsExactly("medium");
    }

    @Test
    void smallerChangesAreLow() {
        Baseline baseline = history();
        Instant usual = START.plus(Duration.ofDays(14L * 20));
        Upload sameNetworkNewAddressNewClient = new Upload(
                "lightning-2.2.0-py3-none-any.whl",
                "wheel",
                860_000,
                usual,
                "198.51.100.99",
                "uv/0.5.0",
                "tp-1",
                "github:Lightning-AI/pytorch-lightning",
                true);
        List<Assessment.Signal> signals = run(
                new ReleaseFacts("2.2.0", List.of(sameNetworkNewAddressNewClient), deps("torch>=2.4", "numpy")),
                baseline,
                List.of());

        assertThat(signals).extracting(Assessment.Signal::severity).containsOnly("low");
        assertThat(signals)
                .extracting(Assessment.Signal::evidence)
                .containsExactlyInAnyOrder(
                        "uploaded from 198.51.100.99, a new address in the known network 198.51.100.0/24",
                        "uploaded with the client 'uv', never used for this project (so far: twine)",
                        "re-pins torch>=2.1 -> torch>=2.4");
    }

    @Test
    void versionAnomalies() {
        Baseline baseline = history(); // 2.0.0 … 2.1.9
        Instant usual = START.plus(Duration.ofDays(14L * 20));
        List<Assessment.Signal> backwards = run(
                new ReleaseFacts(
                        "1.4.7",
                        List.of(wheel("1.4.7", 860_000, usual, "198.51.100.7", true)),
                        deps("torch>=2.1", "numpy")),
                baseline,
                List.of());
        assertThat(backwards).singleElement().satisfies(s -> {
            assertThat(s.detector()).isEqualTo("version");
            assertThat(s.severity()).isEqualTo("medium");
            assertThat(s.evidence())
                    .isEqualTo(
                            "version 1.4.7 goes back to the 1.4 line, which had no release among the project's last 20; the highest is 2.1.9");
        });
        List<Assessment.Signal> skip = run(
                new ReleaseFacts(
                        "4.0.0",
                        List.of(wheel("4.0.0", 860_000, usual, "198.51.100.7", true)),
                        deps("torch>=2.1", "numpy")),
                baseline,
                List.of());
        assertThat(skip)
                .extracting(Assessment.Signal::evidence)
                .containsExactly("version 4.0.0 skips ahead of the highest release 2.1.9");
    }

    @Test
    void networksAreSlash24AndSlash48() {
        assertThat(Baseline.network("203.0.113.77")).isEqualTo("203.0.113.0/24");
        assertThat(Baseline.network("2001:db8:abcd:12::1")).isEqualTo("2001:db8:abcd::/48");
        assertThat(Baseline.network("2001:db8::1")).isEqualTo("2001:db8:0::/48");
        assertThat(Baseline.client("twine/5.1.1 CPython/3.12")).isEqualTo("twine");
        assertThat(Baseline.client(null)).isEqualTo("(none)");
    }

    @Test
    void baselineMemoryDoesNotGrowWithReleases() {
        Baseline baseline = new Baseline();
        for (int i = 0; i < 5_000; i++) {
            baseline.add(new ReleaseFacts(
                    "1." + i,
                    List.of(wheel("1." + i, 1000 + i, START.plusSeconds(3600L * i), "198.51.100.7", true)),
                    deps("a")));
        }
        assertThat(baseline.sizes("wheel")).hasSize(Baseline.WINDOW);
        assertThat(baseline.versions()).hasSize(Baseline.WINDOW);
        assertThat(baseline.highestVersion()).containsExactly(1, 4999);
        assertThat(baseline.releases()).isEqualTo(5_000);
    }

    /** One token reaching many projects within the hour: medium from five others, high from twenty. */
    @Test
    void aTokenThatReachesManyProjectsIsLoud() {
        ReleaseFacts release = new ReleaseFacts(
                "2.6.2", List.of(wheel("2.6.2", 860_000, START, "203.0.113.9", false)), deps("torch>=2.1", "numpy"));
        java.util.function.IntFunction<List<Assessment.Signal>> reaching = n -> Detectors.run(
                        release,
                        history(),
                        new Detector.Recent(
                                START,
                                List.of(),
                                java.util.Map.of(
                                        "tok-9",
                                        java.util.stream.IntStream.range(0, n)
                                                .mapToObj(i -> "npm:pkg-" + i)
                                                .toList())))
                .stream()
                .filter(sig -> sig.detector().equals("spread"))
                .toList();
        assertThat(reaching.apply(4)).isEmpty();
        assertThat(reaching.apply(5)).singleElement().satisfies(sig -> {
            assertThat(sig.severity()).isEqualTo("medium");
            assertThat(sig.evidence()).contains("uploaded to 5 other projects within the last 60 minutes (npm:pkg-0,");
        });
        assertThat(reaching.apply(20))
                .singleElement()
                .satisfies(sig -> assertThat(sig.severity()).isEqualTo("high"));
    }
}
