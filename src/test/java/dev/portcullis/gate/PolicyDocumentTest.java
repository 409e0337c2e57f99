package dev.portcullis.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.identity.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PolicyDocumentTest {

    @Test
    void theDocumentedExampleParses() throws Exception {
        String example = Files.readString(Path.of("docs/POLICY.md"));
        String yaml = example.substring(
                example.indexOf("```yaml") + 7, example.indexOf("```", example.indexOf("```yaml") + 7));
        Policy policy = PolicyDocument.parse(yaml);
        assertThat(policy.approval().required()).isEqualTo(2);
        assertThat(policy.approval().roles()).containsExactlyInAnyOrder(Role.APPROVER, Role.OWNER);
        assertThat(policy.uploads().longLivedTokens()).isEqualTo(Policy.LongLivedTokens.DENY);
        assertThat(policy.autoRelease().enabled()).isTrue();
        assertThat(policy.autoRelease().settle()).isEqualTo(Duration.ofMinutes(10));
        assertThat(policy.windows()).hasSize(1);
        assertThat(policy.changesNeedSecondPerson()).isTrue();
        assertThat(policy.notifications().email()).containsExactly("release-approvers@example.org");
    }

    @Test
    void windowsAreCheckedInTheirTimeZone() {
        Policy policy = PolicyDocument.parse(
                "publish_windows:\n  - timezone: Europe/Berlin\n    days: [mon, tue, wed, thu, fri]\n    hours: \"08:00-18:00\"\n");
        Policy.Window window = policy.windows().getFirst();
        assertThat(window.contains(Instant.parse("2026-04-30T07:30:00Z")))
                .as("Thu 09:30 in Berlin")
                .isTrue();
        assertThat(window.contains(Instant.parse("2026-04-30T01:00:00Z")))
                .as("Thu 03:00 in Berlin")
                .isFalse();
        assertThat(window.contains(Instant.parse("2026-05-02T10:00:00Z")))
                .as("Saturday")
                .isFalse();
    }

    @Test
    void mistakesNameTheKey() {
        assertThatThrownBy(() -> PolicyDocument.parse("aproval: {}")).hasMessageContaining("aproval: unknown key");
        assertThatThrownBy(() -> PolicyDocument.parse("approval:\n  required: 0\n"))
                .hasMessageContaining("approval.required must be at least 1");
        assertThatThrownBy(() -> PolicyDocument.parse("approval:\n  required: two\n"))
                .hasMessageContaining("approval.required: must be a whole number");
        assertThatThrownBy(() -> PolicyDocument.parse("uploads:\n  long_lived_tokens: maybe\n"))
                .hasMessageContaining("uploads.long_lived_tokens: must be one of");
        assertThatThrownBy(() -> PolicyDocument.parse("risk:\n  hold_at: 80\n  reject_at: 50\n"))
                .hasMessageContaining("risk thresholds");
        assertThatThrownBy(() -> PolicyDocument.parse("quarantine:\n  release_approvals: 1\n"))
                .hasMessageContaining("at least 2");
        assertThatThrownBy(() -> PolicyDocument.parse("publish_windows:\n  - timezone: Mars/Olympus\n"))
                .hasMessageContaining("unknown time zone");
        assertThatThrownBy(() -> PolicyDocument.parse("notify:\n  email: [not-an-address]\n"))
                .hasMessageContaining("not an e-mail address");
        assertThatThrownBy(() -> PolicyDocument.parse("version: 2\n"))
                .hasMessageContaining("only policy format version 1");
        assertThatThrownBy(() -> PolicyDocument.parse("[1, 2]")).hasMessageContaining("must be a YAML mapping");
        assertThatThrownBy(() -> PolicyDocument.parse("a: [unclosed")).hasMessageContaining("not valid YAML");
    }

    @Test
    void everyMistakeIsARefusalOfTheRequestNeverAServerError() {
        for (String bad : new String[] {
            "aproval: {}", "approval:\n  roles: [pope]\n", "a: [unclosed", "approval: !!binary AAAA\n", "~"
        }) {
            assertThatThrownBy(() -> PolicyDocument.parse(bad))
                    .isInstanceOf(dev.portcullis.core.Refusal.Invalid.class)
                    .hasMessageStartingWith("Invalid policy: ");
        }
        assertThatThrownBy(() -> PolicyDocument.parse("approval:\n  roles: [pope]\n"))
                .hasMessageContaining("approval.roles: ");
    }
}
