package dev.portcullis.identity;

import java.time.Duration;

/**
 * Server-wide token policy. Every token expires; a request for a lifetime above {@code
 * maxLifetime} is refused with a message naming the limit.
 */
public record TokenSettings(Duration defaultLifetime, Duration maxLifetime) {

  public static final TokenSettings DEFAULTS =
      new TokenSettings(Duration.ofDays(30), Duration.ofDays(90));

  public TokenSettings {
    if (defaultLifetime.isNegative()
        || defaultLifetime.isZero()
        || defaultLifetime.compareTo(maxLifetime) > 0) {
      throw new IllegalArgumentException("default token lifetime must be positive and <= maximum");
    }
  }
}
