package dev.portcullis.core;

/**
 * An expected refusal of a request, with a message safe to show the caller: the one exception type
 * features throw for "no" (bugs and broken infrastructure are other exceptions). It is mapped to a
 * protocol status in one place ({@code http/HttpServer}), in the error format of the route's
 * client. The set is closed, so that mapping is a switch the compiler checks.
 */
public abstract sealed class Refusal extends RuntimeException {

    private Refusal(String message) {
        super(message, null, false, false);
    }

    /** The request itself is wrong: a bad value, a malformed body, a rule of the protocol broken. */
    public static final class Invalid extends Refusal {
        public Invalid(String message) {
            super(message);
        }
    }

    /** No credential, or one that does not authenticate. */
    public static final class Unauthenticated extends Refusal {
        public Unauthenticated(String message) {
            super(message);
        }
    }

    /** Authenticated, but not allowed. */
    public static final class Forbidden extends Refusal {
        public Forbidden(String message) {
            super(message);
        }
    }

    /** A fresh second factor is missing, wrong or reused. */
    public static final class SecondFactor extends Refusal {
        public SecondFactor(String message) {
            super(message);
        }
    }

    /** Nothing there (or nothing this caller may know is there). */
    public static final class NotFound extends Refusal {
        public NotFound(String message) {
            super(message);
        }
    }

    /** The state does not allow it (already decided, already approved, not the files reviewed). */
    public static final class Conflict extends Refusal {
        public Conflict(String message) {
            super(message);
        }
    }

    /** Something the protocol once had and no longer supports. */
    public static final class Gone extends Refusal {
        public Gone(String message) {
            super(message);
        }
    }

    /** A body past its limit. */
    public static final class TooLarge extends Refusal {
        public TooLarge(String message) {
            super(message);
        }
    }

    /** Too many failed attempts; try again later. */
    public static final class Throttled extends Refusal {
        public Throttled(String message) {
            super(message);
        }
    }

    /** Something this request needs (an identity provider, say) cannot be reached now; try again later. */
    public static final class Unavailable extends Refusal {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** The route exists, with other methods. */
    public static final class MethodNotAllowed extends Refusal {
        public MethodNotAllowed(String message) {
            super(message);
        }
    }
}
