package dev.portcullis.provenance;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who must have signed: the certificate's subject alternative name (exactly, or by a pattern for a
 * workflow at any ref) and the OIDC issuer that Fulcio recorded. There is no "anyone" form.
 */
public record ExpectedIdentity(String san, Pattern sanPattern, String issuer) {

    public ExpectedIdentity {
        Objects.requireNonNull(issuer, "issuer");
        if ((san == null) == (sanPattern == null)) {
            throw new IllegalArgumentException("give exactly one of an identity or an identity pattern");
        }
    }

    public static ExpectedIdentity exactly(String san, String issuer) {
        return new ExpectedIdentity(san, null, issuer);
    }

    /** A GitHub Actions workflow of a repository, at any ref (tag or branch). */
    public static ExpectedIdentity githubWorkflow(String owner, String repository, String workflow) {
        return new ExpectedIdentity(
                null,
                Pattern.compile(
                        Pattern.quote("https://github.com/" + owner + "/" + repository + "/.github/workflows/"
                                        + workflow + "@")
                                + ".+",
                        Pattern.CASE_INSENSITIVE),
                "https://token.actions.githubusercontent.com");
    }

    @Override
    public String toString() {
        return (san != null ? san : "/" + sanPattern.pattern() + "/") + " from " + issuer;
    }
}
