package dev.portcullis.identity;

import java.util.List;

/** What one housekeeping pass did: token ids disabled and warned, user names disabled. */
public record HousekeepingReport(
        List<String> disabledTokens, List<String> expiringTokens, List<String> disabledUsers) {}
