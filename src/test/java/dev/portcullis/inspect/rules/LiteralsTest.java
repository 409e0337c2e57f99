package dev.portcullis.inspect.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LiteralsTest {

    @Test
    void findsOverlappingAndNestedLiterals() {
        List<String> literals = List.of("he", "she", "his", "hers", "s");
        Literals.Automaton automaton = new Literals.Automaton(literals, List.of(true, true, true, true, true));
        BitSet found = automaton.find("ushers");
        assertEquals(BitSet.valueOf(new long[] {0b11011}), found, "he, she, hers, s; not his");
    }

    @Test
    void caseSensitiveLiteralsAreConfirmedAgainstTheText() {
        Literals.Automaton automaton =
                new Literals.Automaton(List.of("GITHUB_TOKEN", "github_token"), List.of(false, true));
        BitSet lower = automaton.find("os.environ['github_token']");
        assertFalse(lower.get(0), "the case-sensitive literal needs its exact case");
        assertTrue(lower.get(1));
        BitSet upper = automaton.find("os.environ['GITHUB_TOKEN']");
        assertTrue(upper.get(0));
        assertTrue(upper.get(1), "a case-insensitive literal folds ASCII case");
    }

    @Test
    void aNonAsciiCharacterBreaksAMatch() {
        Literals.Automaton automaton = new Literals.Automaton(List.of("exec("), List.of(true));
        assertFalse(automaton.find("exe\u00e9c(").get(0));
        assertTrue(automaton.find("\u00e9\u00e9exec(\u00e9").get(0));
    }

    /** Against String.contains on random texts over a small alphabet, where literals overlap often. */
    @Test
    void agreesWithContainsOnRandomTexts() {
        Random random = new Random(7);
        String alphabet = "abAB.(_ \u00e9";
        for (int round = 0; round < 200; round++) {
            int count = 1 + random.nextInt(12);
            List<String> literals = new java.util.ArrayList<>();
            List<Boolean> ignoreCase = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                boolean ignore = random.nextBoolean();
                String literal = randomText(random, "abAB.(_", 1 + random.nextInt(4));
                literals.add(ignore ? literal.toLowerCase(Locale.ROOT) : literal);
                ignoreCase.add(ignore);
            }
            Literals.Automaton automaton = new Literals.Automaton(literals, ignoreCase);
            String text = randomText(random, alphabet, random.nextInt(60));
            BitSet found = automaton.find(text);
            for (int i = 0; i < count; i++) {
                String haystack = ignoreCase.get(i) ? text.toLowerCase(Locale.ROOT) : text;
                assertEquals(
                        haystack.contains(literals.get(i)),
                        found.get(i),
                        () -> "round with text '" + text + "' and literals " + literals + " " + ignoreCase);
            }
        }
    }

    @Test
    void probesRegisterTheirLiteralsAndFindThemThroughTheSharedAutomaton() {
        Probe probe = Probe.ignoringCase("x-literals-test-\\d+", "x-literals-TEST-");
        SourceFile file = new SourceFile(
                "pkg/a.py", dev.portcullis.inspect.FileKind.PYTHON, "value = 'X-Literals-Test-42'\n", false, 28, 27);
        assertEquals(
                "value = 'X-Literals-Test-42'", probe.find(file).orElseThrow().text());
        assertThrows(IllegalArgumentException.class, () -> Literals.register("caf\u00e9", false));
    }

    private static String randomText(Random random, String alphabet, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
