package dev.portcullis.detect;

import dev.portcullis.publish.Ecosystem;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What is normal for one project, learned from its released releases only (an attacker cannot
 * train it by uploading). Kept incrementally, in memory bounded by the number of distinct values
 * (networks, clients, credentials, dependencies) and a window of the last {@link #WINDOW} sizes
 * and gaps, never by the number of releases.
 */
public final class Baseline {

    static final int WINDOW = 100;

    private int releases;
    private int trustedReleases;
    private final Deque<Boolean> recentTrusted = new ArrayDeque<>();
    private final Set<String> networks = new HashSet<>();
    private final Set<String> addresses = new HashSet<>();
    private final Set<String> clients = new HashSet<>();
    private final Set<String> tokens = new HashSet<>();
    private final Set<String> users = new HashSet<>();
    private final Set<String> everRequired = new HashSet<>();
    private final int[] hours = new int[24];
    private final int[] weekdays = new int[7];
    private final Map<String, Deque<Long>> sizes = new HashMap<>();
    private final Deque<Long> gapsSeconds = new ArrayDeque<>();
    private int maxFiles;
    private Instant last;
    private String lastVersion;
    private List<Ecosystem.Dependency> lastDependencies = List.of();
    private final Deque<int[]> versions = new ArrayDeque<>();
    private int[] highest;

    /** Learns from one released release (in the order the releases were created). */
    public void add(ReleaseFacts release) {
        releases++;
        boolean trusted =
                !release.uploads().isEmpty() && release.uploads().stream().allMatch(Upload::trustedPublisher);
        trustedReleases += trusted ? 1 : 0;
        recentTrusted.addLast(trusted);
        if (recentTrusted.size() > 5) {
            recentTrusted.removeFirst();
        }
        for (Upload u : release.uploads()) {
            if (u.ip() != null) {
                addresses.add(u.ip());
                networks.add(network(u.ip()));
            }
            clients.add(client(u.agent()));
            if (u.token() != null) {
                tokens.add(u.token());
            }
            if (u.user() != null) {
                users.add(u.user());
            }
            Deque<Long> window = sizes.computeIfAbsent(u.type(), t -> new ArrayDeque<>());
            window.addLast(u.size());
            if (window.size() > WINDOW) {
                window.removeFirst();
            }
        }
        maxFiles = Math.max(maxFiles, release.uploads().size());
        Instant first = release.firstUpload();
        var utc = first.atZone(ZoneOffset.UTC);
        hours[utc.getHour()]++;
        weekdays[utc.getDayOfWeek().getValue() - 1]++;
        if (last != null) {
            gapsSeconds.addLast(Math.max(0, Duration.between(last, first).toSeconds()));
            if (gapsSeconds.size() > WINDOW) {
                gapsSeconds.removeFirst();
            }
        }
        last = first;
        lastVersion = release.version();
        VersionDetector.parts(release.version()).ifPresent(v -> {
            versions.addLast(v);
            if (versions.size() > WINDOW) {
                versions.removeFirst();
            }
            if (highest == null || VersionDetector.compare(v, highest) > 0) {
                highest = v;
            }
        });
        lastDependencies = release.dependencies();
        release.dependencies().forEach(d -> everRequired.add(d.key()));
    }

    public int releases() {
        return releases;
    }

    public int trustedReleases() {
        return trustedReleases;
    }

    /** Whether the last (up to five) releases all came from the trusted publisher. */
    public boolean recentlyAllTrusted() {
        return !recentTrusted.isEmpty() && recentTrusted.stream().allMatch(t -> t);
    }

    public Set<String> networks() {
        return networks;
    }

    public Set<String> addresses() {
        return addresses;
    }

    public Set<String> clients() {
        return clients;
    }

    public Set<String> tokens() {
        return tokens;
    }

    public Set<String> users() {
        return users;
    }

    public Set<String> everRequired() {
        return everRequired;
    }

    public int[] hours() {
        return hours;
    }

    public int[] weekdays() {
        return weekdays;
    }

    public List<Long> sizes(String type) {
        return List.copyOf(sizes.getOrDefault(type, new ArrayDeque<>()));
    }

    public int maxFiles() {
        return maxFiles;
    }

    public Instant lastRelease() {
        return last;
    }

    public String lastVersion() {
        return lastVersion;
    }

    public List<Ecosystem.Dependency> lastDependencies() {
        return lastDependencies;
    }

    /** The release numbers of the last {@link #WINDOW} releases (parsed once, when learned). */
    public java.util.Collection<int[]> versions() {
        return versions;
    }

    /** The highest release number ever released; null before the first. */
    public int[] highestVersion() {
        return highest;
    }

    /** Median gap between releases, in seconds; -1 with fewer than three gaps. */
    public long medianGapSeconds() {
        if (gapsSeconds.size() < 3) {
            return -1;
        }
        return (long) median(gapsSeconds.stream().mapToLong(Long::longValue).toArray());
    }

    /** The IPv4 /24 or IPv6 /48 an address belongs to. */
    public static String network(String ip) {
        if (ip.contains(":")) {
            String[] groups = expand(ip);
            return groups[0] + ":" + groups[1] + ":" + groups[2] + "::/48";
        }
        int dot = ip.lastIndexOf('.');
        return dot < 0 ? ip : ip.substring(0, dot) + ".0/24";
    }

    private static String[] expand(String ip) {
        String address = ip.contains("%") ? ip.substring(0, ip.indexOf('%')) : ip;
        String[] parts = address.split("::", -1);
        List<String> head = parts[0].isEmpty() ? List.of() : Arrays.asList(parts[0].split(":"));
        List<String> tail = parts.length < 2 || parts[1].isEmpty() ? List.of() : Arrays.asList(parts[1].split(":"));
        List<String> all = new ArrayList<>(head);
        for (int i = 0; i < 8 - head.size() - tail.size(); i++) {
            all.add("0");
        }
        all.addAll(tail);
        return all.stream()
                .map(g -> g.toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", ""))
                .toArray(String[]::new);
    }

    /** The client family of a User-Agent: its first product name ({@code twine/5.0 …} → {@code twine}). */
    public static String client(String agent) {
        if (agent == null || agent.isBlank()) {
            return "(none)";
        }
        String first = agent.strip().split("[\\s/]", 2)[0];
        return first.toLowerCase(Locale.ROOT);
    }

    static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
