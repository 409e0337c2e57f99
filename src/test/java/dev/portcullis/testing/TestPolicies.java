package dev.portcullis.testing;

/** Policies tests install (docs/POLICY.md). */
public final class TestPolicies {

    /** Releases everything without a person: the weakest policy there is (what a control failing looks like). */
    public static final String RELEASE_EVERYTHING = """
      version: 1
      uploads:
        long_lived_tokens: allow
      auto_release:
        enabled: true
        require_trusted_publisher: false
        max_risk: 100
        settle: 0s
      risk:
        hold_at: 100
        reject_at: 100
        quarantine_at: 100
      """;

    private TestPolicies() {}
}
