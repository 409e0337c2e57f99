package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * Where stolen data goes: webhook collectors (Discord, Slack, webhook.site, pipedream), paste and
 * file-sharing sites, out-of-band testing domains, URLs to a bare public IP address (event-stream's
 * 111.90.151.134, the SAP wave's 94.154.172.43), and repository creation through the GitHub API
 * from package code (Shai-Hulud publishes stolen secrets into new public repositories).
 */
public final class Exfiltration implements ContentRule {

    public static final String ID = "exfiltration";

    private static final Probe COLLECTORS = Probe.ignoringCase(
            "discord(app)?\\.com/api/webhooks|hooks\\.slack\\.com/services|webhook\\.site|pipedream\\.net|requestbin\\.(com|net|io)|requestb\\.in|beeceptor\\.com"
                    + "|ngrok(-free)?\\.(io|app)|burpcollaborator\\.net|interact\\.sh|oast\\.(fun|live|me|pro|site)|canarytokens"
                    + "|pastebin\\.com|paste\\.ee|hastebin|ghostbin|0x0\\.st|transfer\\.sh|file\\.io|gofile\\.io|anonfiles|termbin\\.com"
                    + "|api\\.telegram\\.org/bot",
            "discord",
            "hooks.slack",
            "webhook.site",
            "pipedream",
            "requestbin",
            "beeceptor",
            "ngrok",
            "burpcollaborator",
            "interact.sh",
            "oast.",
            "canarytokens",
            "pastebin",
            "paste.ee",
            "hastebin",
            "ghostbin",
            "0x0.st",
            "transfer.sh",
            "file.io",
            "gofile",
            "anonfiles",
            "termbin",
            "api.telegram");
    private static final Probe IP_URL =
            Probe.of("(?:https?|wss?|tcp)://(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})", "://");
    private static final Probe GITHUB_REPOS = Probe.of(
            "api\\.github\\.com/user/repos|/user/repos['\"`]|createForAuthenticatedUser|repos\\.createInOrg",
            "/user/repos",
            "createForAuthenticatedUser",
            "createInOrg");
    private static final Probe DEAD_DROPS = Probe.ignoringCase(
            "OhNoWhatsGoingOnWithGitHub|Sha1?-Hulud|A Mini Shai-Hulud has Appeared",
            "OhNoWhatsGoingOnWithGitHub",
            "hulud");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> check(SourceFile file) {
        if (!file.kind().isScript()) {
            return List.of();
        }
        List<Finding> findings = new ArrayList<>();
        DEAD_DROPS
                .find(file)
                .ifPresent(hit -> findings.add(file.finding(
                        ID, Severity.HIGH, "names a known worm's dead-drop or repository description", hit)));
        GITHUB_REPOS
                .find(file)
                .ifPresent(hit -> findings.add(file.finding(
                        ID,
                        Severity.LOW,
                        "creates GitHub repositories (a GitHub client's API; worms publish stolen secrets this way)",
                        hit)));
        COLLECTORS
                .find(file)
                .ifPresent(hit -> findings.add(file.finding(
                        ID, Severity.MEDIUM, "sends to a webhook collector, paste or file-sharing service", hit)));
        publicIpUrl(file)
                .ifPresent(hit -> findings.add(file.finding(
                        ID, Severity.MEDIUM, "talks to a bare public IP address instead of a host name", hit)));
        return findings;
    }

    private static Optional<SourceFile.Hit> publicIpUrl(SourceFile file) {
        if (!IP_URL.possible(file)) {
            return Optional.empty();
        }
        Matcher m = IP_URL.pattern().matcher(file.text());
        while (m.find()) {
            int a = Integer.parseInt(m.group(1));
            int b = Integer.parseInt(m.group(2));
            boolean special = a == 0
                    || a == 10
                    || a == 127
                    || a >= 224
                    || (a == 169 && b == 254)
                    || (a == 172 && b >= 16 && b <= 31)
                    || (a == 192 && b == 168)
                    || (a == 192 && b == 0)
                    || (a == 198 && (b == 18 || b == 19 || b == 51))
                    || (a == 203 && b == 0)
                    || (a == 100 && b >= 64 && b <= 127);
            if (!special && a <= 255 && b <= 255) {
                return Optional.of(file.hitAt(m.start()));
            }
        }
        return Optional.empty();
    }
}
