package dev.portcullis.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The chain's hash in RFC 8785 form, and what changed against the Jackson form earlier versions wrote. */
class EventHashTest {

    @Test
    void ordinaryEventsHashAsTheyAlwaysDidSoOldChainsStillVerify() {
        String canonical = EventHash.of(
                EventHash.GENESIS,
                7,
                1_767_225_600_000L,
                "UploadStaged",
                "alice",
                "demo",
                "demo-1.0.whl",
                "203.0.113.7",
                "twine/6.1.0 CPython/3.11",
                "{\"sha256\":\"ab\",\"note\":\"caf\u00e9 \u2603 </script>\"}");
        String legacy = EventHash.legacy(
                EventHash.GENESIS,
                7,
                1_767_225_600_000L,
                "UploadStaged",
                "alice",
                "demo",
                "demo-1.0.whl",
                "203.0.113.7",
                "twine/6.1.0 CPython/3.11",
                "{\"sha256\":\"ab\",\"note\":\"caf\u00e9 \u2603 </script>\"}");
        assertThat(canonical).hasSize(64).isEqualTo(legacy);
    }

    @Test
    void theFormsDifferOnlyInTheCaseOfHexEscapes() {
        String canonical = EventHash.of(EventHash.GENESIS, 1, 0, "k", null, null, "a\u001fb", null, null, "{}");
        String legacy = EventHash.legacy(EventHash.GENESIS, 1, 0, "k", null, null, "a\u001fb", null, null, "{}");
        assertThat(canonical).isNotEqualTo(legacy);
        assertThat(EventHash.of(EventHash.GENESIS, 1, 0, "k", null, null, "a\u001fc", null, null, "{}"))
                .isNotEqualTo(canonical);
    }
}
