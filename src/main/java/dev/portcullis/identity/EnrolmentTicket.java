package dev.portcullis.identity;

import java.time.Instant;

/** A newly issued enrolment ticket: {@code secret} is shown once, to be handed to {@code user}. */
public record EnrolmentTicket(String secret, String user, Instant expires) {
    @Override
    public String toString() {
        return "EnrolmentTicket[" + user + " until " + expires + "]";
    }
}
