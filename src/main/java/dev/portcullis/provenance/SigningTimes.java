package dev.portcullis.provenance;

import dev.sigstore.bundle.Bundle;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.timestamp.client.ImmutableTimestampResponse;
import dev.sigstore.timestamp.client.TimestampVerifier;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * When a bundle was signed, as its verified time sources say, and whether the short-lived signing
 * certificate was valid then.
 *
 * <p>The Sigstore client specification ("Establishing a time for the signature") has a verifier
 * take a time from every verified source — a transparency-log entry's integrated time when the
 * log signed it (a signed entry timestamp, Rekor v1), each RFC 3161 timestamp from a trusted
 * authority (Rekor v2 entries carry no time of their own) — and check the signing certificate was
 * valid at each. sigstore-java 2.0.0 checks the timestamps but not the integrated time (its 2.1.0
 * added that back; that release is not available here), so this is our check after the library's.
 * A log time later than this server's clock (beyond a minute of skew) is refused as well: a log
 * cannot have recorded an entry in the future, and a signature dated there would stay "valid" for
 * a certificate not yet issued.
 */
final class SigningTimes {

    /** How far a log's clock may run ahead of ours. */
    static final Duration SKEW = Duration.ofMinutes(1);

    private SigningTimes() {}

    /** Every log entry whose time the log signed: not after {@code now}, inside the certificate's validity. */
    static int checkLogTimes(Bundle bundle, X509Certificate leaf, Instant now) throws StatementVerifier.Failure {
        int times = 0;
        for (RekorEntry entry : bundle.getEntries()) {
            if (entry.getVerification() == null || entry.getVerification().getSignedEntryTimestamp() == null) {
                continue;
            }
            Instant logged = entry.getIntegratedTimeInstant();
            if (logged.isAfter(now.plus(SKEW))) {
                throw new StatementVerifier.Failure("the transparency log says it recorded the entry at " + logged
                        + ", later than now (" + now + ")");
            }
            within(leaf, logged, "the transparency log recorded the entry");
            times++;
        }
        return times;
    }

    /** Every RFC 3161 timestamp: from a trusted authority, over {@code signature}, inside the certificate's validity. */
    static int checkTimestamps(Bundle bundle, X509Certificate leaf, byte[] signature, TimestampVerifier authorities)
            throws StatementVerifier.Failure {
        int times = 0;
        for (Bundle.Timestamp timestamp : bundle.getTimestamps()) {
            byte[] encoded = timestamp.getRfc3161Timestamp();
            if (encoded == null || encoded.length == 0) {
                throw new StatementVerifier.Failure("the bundle holds an empty RFC 3161 timestamp");
            }
            Instant at;
            try {
                var response =
                        ImmutableTimestampResponse.builder().encoded(encoded).build();
                authorities.verify(response, signature);
                at = response.getGenTime().toInstant();
            } catch (Exception e) {
                throw new StatementVerifier.Failure("an RFC 3161 timestamp does not verify: " + e.getMessage());
            }
            within(leaf, at, "a timestamp authority dated the signature");
            times++;
        }
        return times;
    }

    private static void within(X509Certificate leaf, Instant at, String what) throws StatementVerifier.Failure {
        try {
            leaf.checkValidity(Date.from(at));
        } catch (java.security.cert.CertificateException e) {
            throw new StatementVerifier.Failure(what + " at " + at + ", when the signing certificate (valid "
                    + leaf.getNotBefore().toInstant() + " to "
                    + leaf.getNotAfter().toInstant()
                    + ") was not valid");
        }
    }
}
