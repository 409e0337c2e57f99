package dev.portcullis.cli;

import dev.portcullis.app.Portcullis;
import dev.portcullis.audit.drill.Corpus;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Inspection;
import dev.portcullis.inspect.Inspector;
import dev.portcullis.inspect.Limits;
import dev.portcullis.inspect.PackageFormat;
import dev.portcullis.inspect.ReleaseDiff;
import dev.portcullis.inspect.Report;
import dev.portcullis.inspect.Severity;
import dev.portcullis.publish.Ecosystem;
import dev.portcullis.registry.Registry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Detection quality (docs/INSPECTION.md, "Measured"): recall on the malicious corpus — a case
 * counts only when its rule is high on the malicious file itself — high findings on the benign
 * look-alikes, and per rule how many packages of a real benign corpus (and of its upgrade pairs)
 * get a high or a medium finding. The real corpus is fetched by {@code scripts/benign-corpus fetch DIR}.
 */
@Command(
        name = "detection",
        description = {
            "Measure detection: recall on the malicious corpus, high findings on benign look-alikes, and per-rule",
            "false-positive rates on a real benign corpus and its upgrade pairs (fetch it with scripts/benign-corpus fetch DIR)."
        })
final class BenchDetection implements Callable<Integer> {

    @Option(
            names = "--benign",
            paramLabel = "DIR",
            description =
                    "The real benign corpus (scripts/benign-corpus fetch DIR); without it only the corpus cases run.")
    Path benign;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** What the inspection said of one corpus case. */
    record Verdict(Corpus.Case c, boolean caught, List<Finding> high) {
        /** A malicious case is right when caught; a benign one when nothing is high. */
        boolean right() {
            return c.malicious() ? caught : high.isEmpty();
        }
    }

    /** Per rule: how many packages (or pairs) got at least one high and one medium finding from it. */
    record Rates(int packages, Map<String, Integer> high, Map<String, Integer> medium, List<String> highs) {}

    record RealCorpus(Rates packages, Rates pairs, int python, int npm) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Verdict> verdicts = judgeCorpus();
        printCorpus(out, verdicts);
        if (benign != null) {
            printReal(out, measureReal(benign));
        }
        out.flush();
        return 0;
    }

    // ---------------------------------------------------------------- the corpus

    static List<Verdict> judgeCorpus() throws IOException {
        Path scratch = Files.createTempDirectory("portcullis-detection-");
        try {
            List<Verdict> verdicts = new ArrayList<>();
            for (Corpus.Case c : Corpus.all()) {
                verdicts.add(judge(c, scratch));
            }
            return verdicts;
        } finally {
            dev.portcullis.store.PrivateFiles.deleteTree(scratch);
        }
    }

    static Verdict judge(Corpus.Case c, Path scratch) throws IOException {
        Registry registry = Portcullis.registryFor(c.filename(), c.ecosystem());
        Path now = Files.write(scratch.resolve(c.id() + "-" + c.filename()), c.packageBytes());
        Path before = c.hasPrevious()
                ? Files.write(scratch.resolve(c.id() + "-previous-" + c.previousFilename()), c.previousBytes())
                : null;
        List<Finding> findings =
                findings(registry, now, c.filename(), before, before == null ? null : c.previousFilename());
        List<Finding> high = findings.stream()
                .filter(f -> f.severity().atLeast(Severity.HIGH))
                .toList();
        // npm's files are under package/ in the tarball; a case names them as package.json does
        String where = c.malicious() && c.ecosystem().equals("npm") && !c.rule().equals("dependencies")
                ? "package/" + c.file()
                : c.file();
        boolean caught = c.malicious()
                && high.stream()
                        .anyMatch(f ->
                                f.rule().equals(c.rule()) && where.equalsIgnoreCase(f.path() == null ? "" : f.path()));
        return new Verdict(c, caught, high);
    }

    /**
     * The findings the gate would see for {@code file}: the inspection, the diff against {@code
     * previous} when there is one, and a dependency whose name imitates a well-known one (rule {@code
     * dependencies}, as the gate's dependency detector raises it; the finding's path is the name).
     */
    static List<Finding> findings(Registry registry, Path file, String filename, Path previous, String previousName) {
        Seen seen = see(registry, file, filename, previous, previousName);
        return seen.pair() != null ? seen.pair() : seen.alone();
    }

    /** The findings on a package alone, and (when there is a previous version) as an upgrade from it. */
    record Seen(List<Finding> alone, List<Finding> pair) {}

    /** {@link #findings}, for the package alone and for the upgrade, from one inspection of each file. */
    static Seen see(Registry registry, Path file, String filename, Path previous, String previousName) {
        Clock clock = Clock.systemUTC();
        PackageFormat format = registry.format();
        Inspector inspector = new Inspector(Limits.DEFAULT, clock);
        Inspection now = inspector.inspect(file, filename, format);
        List<Finding> alone = new ArrayList<>(new Report(now, null).findings());
        alone.addAll(lookAlikes(registry.ecosystem(), now, null));
        if (previous == null) {
            return new Seen(alone, null);
        }
        Inspection then = inspector.inspect(previous, previousName, format);
        ReleaseDiff diff = ReleaseDiff.between(then, previous, now, file, format, Limits.DEFAULT, clock);
        List<Finding> pair = new ArrayList<>(new Report(now, diff).findings());
        pair.addAll(lookAlikes(registry.ecosystem(), now, then));
        return new Seen(alone, pair);
    }

    private static List<Finding> lookAlikes(Ecosystem ecosystem, Inspection now, Inspection then) {
        Set<String> before = new HashSet<>();
        if (then != null) {
            then.metadata()
                    .dependencies()
                    .forEach(d -> before.add(ecosystem.dependency(d).key()));
        }
        List<Finding> findings = new ArrayList<>();
        for (String written : now.metadata().dependencies()) {
            Ecosystem.Dependency d = ecosystem.dependency(written);
            if (d.imitates() != null && !before.contains(d.key())) {
                String name = written.strip().split("[^A-Za-z0-9._@/-]", 2)[0];
                findings.add(new Finding(
                        "dependencies",
                        Severity.HIGH,
                        "depends on " + written.strip() + ", a name made to look like " + d.imitates() + "'s",
                        name,
                        null,
                        null));
            }
        }
        return findings;
    }

    private static void printCorpus(PrintWriter out, List<Verdict> verdicts) {
        List<Verdict> malicious =
                verdicts.stream().filter(v -> v.c().malicious()).toList();
        List<Verdict> benign = verdicts.stream().filter(v -> !v.c().malicious()).toList();
        long caught = malicious.stream().filter(Verdict::caught).count();
        out.printf(
                Locale.ROOT,
                "Malicious corpus: %d of %d cases high on the malicious code itself (%.0f%%)%n",
                caught,
                malicious.size(),
                100.0 * caught / Math.max(1, malicious.size()));
        malicious.forEach(v -> printVerdict(out, v));
        long quiet = benign.stream().filter(Verdict::right).count();
        out.printf(Locale.ROOT, "Benign look-alikes: %d of %d with no high finding%n", quiet, benign.size());
        benign.forEach(v -> printVerdict(out, v));
    }

    private static void printVerdict(PrintWriter out, Verdict v) {
        String mark = v.c().malicious() ? (v.right() ? "caught" : "MISSED") : (v.right() ? "quiet" : "HIGH");
        String why = v.right()
                ? ""
                : v.c().malicious()
                        ? "(wanted high " + v.c().rule() + " in " + v.c().file() + "; high: " + brief(v.high()) + ")"
                        : brief(v.high());
        out.printf(Locale.ROOT, "  %-6s %-34s %s%n", mark, v.c().id(), why);
    }

    private static String brief(List<Finding> findings) {
        if (findings.isEmpty()) {
            return "none";
        }
        return String.join(
                "; ",
                findings.stream()
                        .map(f -> f.rule() + " in " + (f.path() == null ? "the package" : f.path()) + " (" + f.message()
                                + ")")
                        .distinct()
                        .toList());
    }

    // ---------------------------------------------------------------- the real benign corpus

    /** Every package of {@code dir}/corpus.tsv inspected alone, and against its previous version when there is one. */
    static RealCorpus measureReal(Path dir) throws IOException, InterruptedException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("corpus.tsv"), StandardCharsets.UTF_8)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                rows.add(line.split("\t"));
            }
        }
        record Result(String label, List<Finding> alone, List<Finding> pair) {}
        List<Result> results = new ArrayList<>();
        try (ExecutorService pool =
                Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors())) {
            List<Future<Result>> futures = new ArrayList<>();
            for (String[] row : rows) {
                futures.add(pool.submit(() -> {
                    Path file = dir.resolve(row[2]);
                    String local = file.getFileName().toString(); // npm: scope+name-version.tgz
                    String name = local.substring(local.indexOf('+') + 1);
                    Registry registry = Portcullis.registryFor(name, row[0]);
                    Path previous = row[3].equals("-") ? null : dir.resolve(row[3]);
                    Seen seen = see(
                            registry,
                            file,
                            name,
                            previous,
                            previous == null
                                    ? null
                                    : previous.getFileName().toString().replaceFirst("^[^+]*\\+", ""));
                    return new Result(row[0] + " " + row[1] + " (" + name + ")", seen.alone(), seen.pair());
                }));
            }
            for (Future<Result> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
        }
        Rates packages =
                rates(results.stream().map(r -> Map.entry(r.label(), r.alone())).toList());
        Rates pairs = rates(results.stream()
                .filter(r -> r.pair() != null)
                .map(r -> Map.entry(r.label() + " upgrade", r.pair()))
                .toList());
        int python = (int) rows.stream().filter(r -> r[0].equals("pypi")).count();
        return new RealCorpus(packages, pairs, python, rows.size() - python);
    }

    private static Rates rates(List<Map.Entry<String, List<Finding>>> results) {
        Map<String, Integer> high = new TreeMap<>();
        Map<String, Integer> medium = new TreeMap<>();
        List<String> highs = new ArrayList<>();
        for (Map.Entry<String, List<Finding>> r : results) {
            Set<String> highRules = new HashSet<>();
            Set<String> mediumRules = new HashSet<>();
            for (Finding f : r.getValue()) {
                if (f.severity().atLeast(Severity.HIGH)) {
                    if (highRules.add(f.rule())) {
                        highs.add(r.getKey() + ": " + f.severity().wireName() + " " + f.rule() + ": " + f.explain());
                    }
                } else if (f.severity() == Severity.MEDIUM) {
                    mediumRules.add(f.rule());
                }
            }
            highRules.forEach(rule -> high.merge(rule, 1, Integer::sum));
            mediumRules.forEach(rule -> medium.merge(rule, 1, Integer::sum));
        }
        return new Rates(results.size(), high, medium, highs);
    }

    static void printReal(PrintWriter out, RealCorpus real) {
        out.printf(
                Locale.ROOT,
                "Real benign corpus: %d packages (%d PyPI, %d npm), %d upgrade pairs%n",
                real.packages().packages(),
                real.python(),
                real.npm(),
                real.pairs().packages());
        Set<String> rules = new java.util.TreeSet<>(); // every content rule, so a quiet one shows its 0
        dev.portcullis.inspect.rules.ContentRule.all().forEach(r -> rules.add(r.id()));
        rules.add("diff");
        for (Rates r : List.of(real.packages(), real.pairs())) {
            rules.addAll(r.high().keySet());
            rules.addAll(r.medium().keySet());
        }
        out.printf(
                Locale.ROOT,
                "  %-20s %18s %18s %18s %18s%n",
                "rule",
                "packages high",
                "packages medium",
                "pairs high",
                "pairs medium");
        for (String rule : rules) {
            out.printf(
                    Locale.ROOT,
                    "  %-20s %18s %18s %18s %18s%n",
                    rule,
                    rate(real.packages(), real.packages().high(), rule),
                    rate(real.packages(), real.packages().medium(), rule),
                    rate(real.pairs(), real.pairs().high(), rule),
                    rate(real.pairs(), real.pairs().medium(), rule));
        }
        out.println("  (format checks and detectors not listed raised nothing at medium or above)");
        real.packages().highs().forEach(h -> out.println("  high: " + h));
        real.pairs().highs().forEach(h -> out.println("  high: " + h));
    }

    private static String rate(Rates r, Map<String, Integer> counts, String rule) {
        int n = counts.getOrDefault(rule, 0);
        return String.format(Locale.ROOT, "%d (%.1f%%)", n, 100.0 * n / Math.max(1, r.packages()));
    }
}
