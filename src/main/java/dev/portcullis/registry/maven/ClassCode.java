package dev.portcullis.registry.maven;

import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * What a class file's static initialiser does: code that runs as soon as anything loads the class
 * (a test, an annotation processor, the application starting), which is where a compromised jar
 * starts its payload. The initialiser's calls, and those of the class's own methods it calls (one
 * level), are compared with the JDK methods that start a process, open a connection, or load code
 * at run time. Read with ASM, without running or resolving anything; an unreadable class file is a
 * finding of its own.
 */
final class ClassCode {

    static final String RULE = "static-initialiser";

    /** JDK calls by effect: owner/name as class files write them. */
    private static final Map<String, String> EFFECTS = Map.ofEntries(
            Map.entry("java/lang/Runtime.exec", "process"),
            Map.entry("java/lang/ProcessBuilder.start", "process"),
            Map.entry("java/lang/ProcessBuilder.<init>", "process"),
            Map.entry("java/net/Socket.<init>", "network"),
            Map.entry("java/net/URL.openConnection", "url"),
            Map.entry("java/net/URL.openStream", "url"),
            Map.entry("java/net/http/HttpClient.send", "network"),
            Map.entry("java/net/http/HttpClient.sendAsync", "network"),
            Map.entry("java/net/http/HttpClient.newHttpClient", "network"),
            Map.entry("java/nio/channels/SocketChannel.open", "network"),
            Map.entry("java/net/URLClassLoader.<init>", "code loading"),
            Map.entry("java/lang/invoke/MethodHandles$Lookup.defineClass", "code loading"),
            Map.entry("java/lang/ClassLoader.defineClass", "code loading"),
            Map.entry("javax/script/ScriptEngineManager.<init>", "code loading"));

    /** A string in the code that is a remote address: {@code http(s)://…}, {@code ftp://…}. */
    private static final java.util.regex.Pattern REMOTE = java.util.regex.Pattern.compile("(?i)(https?|ftp)://[^/\\s]");

    /** Stands for "the code holds a remote URL" among a method's calls. */
    private static final String LITERAL_URL = "(literal remote URL)";

    private ClassCode() {}

    static List<Finding> check(String path, byte[] bytes, int length) {
        Map<String, Set<String>> calls = new LinkedHashMap<>(); // method name+descriptor -> calls it makes
        String[] owner = new String[1];
        try {
            byte[] exact = length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
            new ClassReader(exact)
                    .accept(
                            new ClassVisitor(Opcodes.ASM9) {
                                @Override
                                public void visit(
                                        int version,
                                        int access,
                                        String name,
                                        String signature,
                                        String superName,
                                        String[] interfaces) {
                                    owner[0] = name;
                                }

                                @Override
                                public MethodVisitor visitMethod(
                                        int access, String name, String descriptor, String signature, String[] ex) {
                                    Set<String> made = new LinkedHashSet<>();
                                    calls.put(name + descriptor, made);
                                    return new MethodVisitor(Opcodes.ASM9) {
                                        @Override
                                        public void visitMethodInsn(
                                                int opcode, String o, String n, String d, boolean isInterface) {
                                            made.add(o + "." + n + (o.equals(owner[0]) ? d : ""));
                                        }

                                        @Override
                                        public void visitLdcInsn(Object value) {
                                            if (value instanceof String text
                                                    && REMOTE.matcher(text).lookingAt()) {
                                                made.add(LITERAL_URL);
                                            }
                                        }
                                    };
                                }
                            },
                            ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        } catch (RuntimeException e) {
            return List.of(Finding.at(
                    RULE,
                    Severity.MEDIUM,
                    "a class file the inspector cannot read (" + e.getClass().getSimpleName() + ")",
                    path));
        }
        Set<String> initialiser = calls.get("<clinit>()V");
        if (initialiser == null) {
            return List.of();
        }
        Set<String> reached = new LinkedHashSet<>(initialiser);
        for (String call : initialiser) {
            if (owner[0] != null && call.startsWith(owner[0] + ".")) {
                reached.addAll(calls.getOrDefault(call.substring(owner[0].length() + 1), Set.of()));
            }
        }
        Map<String, List<String>> byEffect = new LinkedHashMap<>();
        boolean literalUrl = reached.contains(LITERAL_URL);
        for (String call : reached) {
            String effect = EFFECTS.get(call);
            if (effect != null && effect.equals("url")) {
                // reading a URL is a download only when the URL is written in the code: getResource(…).openStream() is
                // not
                effect = literalUrl ? "network" : null;
            }
            if (effect != null) {
                byEffect.computeIfAbsent(effect, e -> new ArrayList<>()).add(call.replace('/', '.'));
            }
        }
        if (byEffect.isEmpty()) {
            return List.of();
        }
        List<String> what = new ArrayList<>();
        byEffect.forEach((effect, list) -> what.add(effect + " (" + String.join(", ", list) + ")"));
        // Fetching from an address written in the code and then running or loading code, as the
        // class loads, is a dropper and nothing else: critical (none of 1,149 real jars of the local
        // repository does it). One of them alone has ordinary uses (a native-library loader asks the
        // system which platform it runs on; a version holder reads a resource): medium.
        boolean loader = byEffect.containsKey("network")
                && (byEffect.containsKey("process") || byEffect.containsKey("code loading"));
        return List.of(Finding.at(
                RULE,
                loader ? Severity.CRITICAL : Severity.MEDIUM,
                "the class's static initialiser, which runs when anything loads it, reaches " + String.join("; ", what),
                path));
    }
}
