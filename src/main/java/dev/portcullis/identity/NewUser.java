package dev.portcullis.identity;

/** A user just added, and the ticket that enrols its first second factor (shown once). */
public record NewUser(User user, EnrolmentTicket ticket) {}
