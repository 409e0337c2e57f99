package dev.portcullis.provenance;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the attestation JSON and in-toto statement parsing (uploaded by anyone who can upload):
 * any input is either an attestation or an {@link IllegalArgumentException} with a reason, never
 * another exception. Stored inputs run in every build; {@code JAZZER_FUZZ=1} fuzzes.
 */
class AttestationFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parsingEitherSucceedsOrExplains(FuzzedDataProvider data) {
        try {
            Pep740Attestation attestation = Pep740Attestation.parse(data.consumeRemainingAsString());
            attestation.decodeStatement();
            attestation.toBundleJson();
        } catch (IllegalArgumentException expected) {
            // a refusal with a reason is the only acceptable failure
        }
    }
}
