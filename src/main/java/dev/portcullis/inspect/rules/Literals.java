package dev.portcullis.inspect.rules;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every probe literal of every rule, found in one pass over a file (Aho–Corasick) instead of one
 * {@link String#contains} per literal: a file is read once whatever the number of rules. Literals
 * are ASCII (checked); a case-insensitive literal is matched with ASCII case folding, exactly the
 * folding of a {@link java.util.regex.Pattern#CASE_INSENSITIVE} pattern, so a probe whose regex
 * matches always finds its literal. A case-sensitive literal is found through the same folded
 * automaton and confirmed against the original text.
 *
 * <p>Probes register their literals when they are built (rules keep them in static fields, so all
 * exist before the first file is read); the automaton is rebuilt when a literal was added since it
 * was last built, and a literal it does not know yet is looked for with {@code contains}.
 */
final class Literals {

    private static final int ALPHABET = 128;

    private static final List<String> LITERALS = new ArrayList<>();
    private static final List<Boolean> IGNORE_CASE = new ArrayList<>();
    private static final Map<String, Integer> IDS = new HashMap<>();
    private static volatile Automaton automaton = new Automaton(List.of(), List.of());

    private Literals() {}

    /** The id of {@code literal} (lower case already when {@code ignoreCase}). */
    static synchronized int register(String literal, boolean ignoreCase) {
        if (literal.isEmpty() || !literal.chars().allMatch(c -> c < ALPHABET)) {
            throw new IllegalArgumentException("a probe literal must be non-empty ASCII: " + literal);
        }
        String key = (ignoreCase ? "i:" : "s:") + literal;
        Integer id = IDS.get(key);
        if (id == null) {
            id = LITERALS.size();
            LITERALS.add(literal);
            IGNORE_CASE.add(ignoreCase);
            IDS.put(key, id);
        }
        return id;
    }

    /** The current automaton, rebuilt if literals were registered since it was built. */
    static Automaton automaton() {
        Automaton current = automaton;
        if (current.size() == registered()) {
            return current;
        }
        synchronized (Literals.class) {
            if (automaton.size() != LITERALS.size()) {
                automaton = new Automaton(List.copyOf(LITERALS), List.copyOf(IGNORE_CASE));
            }
            return automaton;
        }
    }

    private static synchronized int registered() {
        return LITERALS.size();
    }

    /** A built automaton over a fixed set of literals; immutable, shared by every thread. */
    static final class Automaton {
        private final List<String> literals;
        private final boolean[] ignoreCase;
        private final int[] next; // state * ALPHABET + folded char -> state (complete: failure links folded in)
        private final int[][] outputs; // state -> ids of the literals that end here (own and by suffix)

        Automaton(List<String> literals, List<Boolean> ignoreCase) {
            this.literals = literals;
            this.ignoreCase = new boolean[literals.size()];
            for (int i = 0; i < literals.size(); i++) {
                this.ignoreCase[i] = ignoreCase.get(i);
            }
            // the trie
            List<int[]> edges = new ArrayList<>();
            List<List<Integer>> ends = new ArrayList<>();
            edges.add(emptyRow());
            ends.add(new ArrayList<>());
            for (int id = 0; id < literals.size(); id++) {
                int state = 0;
                for (char c : literals.get(id).toCharArray()) {
                    int f = fold(c);
                    if (edges.get(state)[f] < 0) {
                        edges.get(state)[f] = edges.size();
                        edges.add(emptyRow());
                        ends.add(new ArrayList<>());
                    }
                    state = edges.get(state)[f];
                }
                ends.get(state).add(id);
            }
            // failure links, breadth first; missing edges become the failure state's edge
            int states = edges.size();
            int[] fail = new int[states];
            next = new int[states * ALPHABET];
            ArrayDeque<Integer> queue = new ArrayDeque<>();
            for (int c = 0; c < ALPHABET; c++) {
                int child = edges.get(0)[c];
                next[c] = Math.max(child, 0);
                if (child > 0) {
                    queue.add(child);
                }
            }
            while (!queue.isEmpty()) {
                int state = queue.poll();
                ends.get(state).addAll(ends.get(fail[state]));
                for (int c = 0; c < ALPHABET; c++) {
                    int child = edges.get(state)[c];
                    if (child < 0) {
                        next[state * ALPHABET + c] = next[fail[state] * ALPHABET + c];
                    } else {
                        fail[child] = next[fail[state] * ALPHABET + c];
                        next[state * ALPHABET + c] = child;
                        queue.add(child);
                    }
                }
            }
            outputs = new int[states][];
            for (int s = 0; s < states; s++) {
                List<Integer> e = ends.get(s);
                outputs[s] = e.isEmpty()
                        ? null
                        : e.stream().mapToInt(Integer::intValue).toArray();
            }
        }

        int size() {
            return literals.size();
        }

        /** The ids of the literals {@code text} contains. */
        BitSet find(String text) {
            BitSet found = new BitSet(literals.size());
            int state = 0;
            int[] next = this.next;
            int[][] outputs = this.outputs;
            for (int i = 0, n = text.length(); i < n; i++) {
                char c = text.charAt(i);
                if (c >= ALPHABET) {
                    state = 0;
                    continue;
                }
                state = next[state * ALPHABET + fold(c)];
                int[] out = outputs[state];
                if (out != null) {
                    for (int id : out) {
                        if (!found.get(id) && (ignoreCase[id] || endsAt(text, i, literals.get(id)))) {
                            found.set(id);
                        }
                    }
                }
            }
            return found;
        }

        private static boolean endsAt(String text, int last, String literal) {
            return text.startsWith(literal, last - literal.length() + 1);
        }

        private static int[] emptyRow() {
            int[] row = new int[ALPHABET];
            Arrays.fill(row, -1);
            return row;
        }
    }

    private static int fold(char c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
