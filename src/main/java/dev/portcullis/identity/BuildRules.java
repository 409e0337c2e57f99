package dev.portcullis.identity;

import dev.portcullis.core.Refusal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a trusted publisher's build must look like beyond which workflow of which repository ran:
 * the git ref it built (a pattern such as {@code refs/tags/v*}), the event that started it, and the
 * kind of runner. A signature from the right repository is not enough — in 2026 a hijacked
 * {@code pull_request_target} run and a poisoned build cache both produced provenance signed by
 * the genuine repository's identity; these rules name what a release build is, so any other run is
 * told apart.
 *
 * <p>The same rules are checked wherever a build speaks for itself: the claims of its OIDC token at
 * the trusted-publishing exchange ({@code ref}, {@code event_name}/{@code pipeline_source}, {@code
 * runner_environment}) and the Fulcio certificate of its provenance (extensions
 * 1.3.6.1.4.1.57264.1.14 source repository ref, .20 build trigger, .11 runner environment). An
 * empty rule allows anything, except the events a platform never lets publish ({@link
 * Platform#never}) and those it allows only when listed ({@link Platform#onlyWhenListed}).
 *
 * @param refPattern the ref, {@code *} standing for any run of characters; null for any ref
 * @param triggers the events allowed to start a release build; empty for the platform's default
 * @param runner the runner environment required ({@code github-hosted}, {@code gitlab-hosted},
 *     {@code self-hosted}); null for any
 */
public record BuildRules(String refPattern, List<String> triggers, String runner) {

    public static final BuildRules NONE = new BuildRules(null, List.of(), null);

    private static final Set<String> RUNNERS = Set.of("github-hosted", "gitlab-hosted", "self-hosted");

    /** What one build says about itself; null where it says nothing. */
    public record Build(String ref, String trigger, String runner) {}

    /** A CI platform's events: those that run code from outside the repository with its identity. */
    public record Platform(String name, Set<String> never, Set<String> onlyWhenListed) {

        /**
         * GitHub Actions: {@code pull_request} and {@code pull_request_target} never publish (as on
         * PyPI); {@code workflow_run} runs with the repository's identity after a workflow that a
         * fork's pull request may have started, so it publishes only when a publisher lists it.
         */
        public static final Platform GITHUB =
                new Platform("GitHub", Set.of("pull_request", "pull_request_target"), Set.of("workflow_run"));

        public static final Platform GITLAB = new Platform("GitLab", Set.of(), Set.of());
    }

    public BuildRules {
        refPattern = refPattern == null || refPattern.isBlank() ? null : refPattern.strip();
        if (refPattern != null
                && (refPattern.length() > 200
                        || refPattern.chars().filter(c -> c == '*').count() > 4)) {
            throw new Refusal.Invalid("a ref pattern is at most 200 characters with at most 4 '*'");
        }
        if (refPattern != null && !refPattern.startsWith("refs/heads/") && !refPattern.startsWith("refs/tags/")) {
            throw new Refusal.Invalid("the ref pattern names a full git ref, starting refs/tags/ or refs/heads/"
                    + " (e.g. refs/tags/v*), not " + refPattern);
        }
        List<String> cleaned = new ArrayList<>();
        for (String t : triggers == null ? List.<String>of() : triggers) {
            for (String part : t.split(",", -1)) {
                String event = part.strip().toLowerCase(Locale.ROOT);
                if (!event.isEmpty() && !cleaned.contains(event)) {
                    if (!event.matches("[a-z_]{1,64}")) {
                        throw new Refusal.Invalid("a trigger is an event name such as push or release, not " + part);
                    }
                    cleaned.add(event);
                }
            }
        }
        triggers = List.copyOf(cleaned);
        runner = runner == null || runner.isBlank() ? null : runner.strip().toLowerCase(Locale.ROOT);
        if (runner != null && !RUNNERS.contains(runner)) {
            throw new Refusal.Invalid("the runner is one of " + new TreeSet<>(RUNNERS) + ", not " + runner);
        }
    }

    /** Refuses, for {@code platform}, a list naming an event that may never publish. */
    BuildRules checkedFor(Platform platform) {
        for (String t : triggers) {
            if (platform.never().contains(t)) {
                throw new Refusal.Invalid(platform.name() + " " + t
                        + " runs code from outside the repository with its identity and may never publish");
            }
        }
        return this;
    }

    public boolean isEmpty() {
        return refPattern == null && triggers.isEmpty() && runner == null;
    }

    /**
     * Empty when {@code build} is one these rules allow on {@code platform}; otherwise the first field
     * that is not, in a sentence naming the field, what the build said and what is expected. A
     * build that does not say what a rule needs fails that rule (fail closed).
     */
    public Optional<String> mismatch(Build build, Platform platform) {
        String trigger = build.trigger() == null || build.trigger().isBlank() ? null : build.trigger();
        boolean triggerMatters = !triggers.isEmpty()
                || !platform.never().isEmpty()
                || !platform.onlyWhenListed().isEmpty();
        if (trigger == null) {
            if (triggerMatters) {
                return Optional.of("trigger: the build does not say which event started it");
            }
        } else if (platform.never().contains(trigger)) {
            return Optional.of("trigger: " + trigger + " runs code from outside the repository and may never publish");
        } else if (!triggers.isEmpty() && !triggers.contains(trigger)) {
            return Optional.of(
                    "trigger: started by " + trigger + ", the publisher allows " + String.join(", ", triggers));
        } else if (triggers.isEmpty() && platform.onlyWhenListed().contains(trigger)) {
            return Optional.of("trigger: started by " + trigger
                    + ", which publishes only when the publisher lists it in its triggers");
        }
        if (refPattern != null && (build.ref() == null || !matches(refPattern, build.ref()))) {
            return Optional.of("ref: built " + (build.ref() == null ? "an unnamed ref" : build.ref())
                    + ", the publisher allows " + refPattern);
        }
        if (runner != null && !runner.equals(build.runner())) {
            return Optional.of("runner: ran on " + (build.runner() == null ? "an unnamed runner" : build.runner())
                    + ", the publisher requires " + runner);
        }
        return Optional.empty();
    }

    static boolean matches(String pattern, String ref) {
        StringBuilder regex = new StringBuilder();
        for (String literal : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(literal));
        }
        return Pattern.matches(regex.toString(), ref);
    }

    /** The stored fields ({@code ref}, {@code triggers}, {@code runner}), only those set. */
    Map<String, String> config() {
        Map<String, String> out = new LinkedHashMap<>();
        if (refPattern != null) {
            out.put("ref", refPattern);
        }
        if (!triggers.isEmpty()) {
            out.put("triggers", String.join(",", triggers));
        }
        if (runner != null) {
            out.put("runner", runner);
        }
        return out;
    }

    static BuildRules fromConfig(Map<String, String> c) {
        String triggers = c.get("triggers");
        return new BuildRules(c.get("ref"), triggers == null ? List.of() : List.of(triggers), c.get("runner"));
    }

    /** "; ref refs/tags/v*; triggers push, release; runner github-hosted", or empty. */
    String describe() {
        StringBuilder out = new StringBuilder();
        if (refPattern != null) {
            out.append("; ref ").append(refPattern);
        }
        if (!triggers.isEmpty()) {
            out.append("; triggers ").append(String.join(", ", triggers));
        }
        if (runner != null) {
            out.append("; runner ").append(runner);
        }
        return out.toString();
    }
}
