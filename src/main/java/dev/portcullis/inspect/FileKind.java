package dev.portcullis.inspect;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a file inside a distribution is, from its first bytes (magic numbers win over names: a
 * Windows executable named {@code _build.py} is native code) and then its name.
 */
public enum FileKind {
    PYTHON,
    JAVASCRIPT,
    SHELL,
    NATIVE,
    BYTECODE,
    ARCHIVE,
    TEXT,
    DATA;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static FileKind fromWire(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** Code a person can read and the content rules scan. */
    public boolean isScript() {
        return this == PYTHON || this == JAVASCRIPT || this == SHELL;
    }

    /** Classifies by the first bytes ({@code head}, up to {@code length}) and the entry's path. */
    public static FileKind classify(String path, byte[] head, int length) {
        if (startsWith(head, length, 0x7f, 'E', 'L', 'F')) {
            return NATIVE;
        }
        if (startsWith(head, length, 'M', 'Z')) {
            return NATIVE;
        }
        if (startsWith(head, length, 0xfe, 0xed, 0xfa, 0xce)
                || startsWith(head, length, 0xfe, 0xed, 0xfa, 0xcf)
                || startsWith(head, length, 0xce, 0xfa, 0xed, 0xfe)
                || startsWith(head, length, 0xcf, 0xfa, 0xed, 0xfe)) {
            return NATIVE;
        }
        String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        if (startsWith(head, length, 0xca, 0xfe, 0xba, 0xbe)) {
            return name.endsWith(".class") ? BYTECODE : NATIVE; // also the fat Mach-O magic
        }
        if (startsWith(head, length, 'P', 'K', 3, 4)
                || startsWith(head, length, 0x1f, 0x8b)
                || startsWith(head, length, 'B', 'Z', 'h')
                || startsWith(head, length, 0xfd, '7', 'z', 'X', 'Z')
                || startsWith(head, length, '7', 'z', 0xbc, 0xaf)
                || (length > 262
                        && head[257] == 'u'
                        && head[258] == 's'
                        && head[259] == 't'
                        && head[260] == 'a'
                        && head[261] == 'r')) {
            return ARCHIVE;
        }
        if (name.endsWith(".pyc") || name.endsWith(".pyo") || name.endsWith(".class")) {
            return BYTECODE;
        }
        if (name.endsWith(".so")
                || name.endsWith(".pyd")
                || name.endsWith(".dll")
                || name.endsWith(".dylib")
                || name.endsWith(".exe")) {
            return NATIVE;
        }
        boolean binary = hasNul(head, length);
        if (binary) {
            return DATA;
        }
        if (name.endsWith(".py") || name.endsWith(".pyw") || name.endsWith(".pyi") || shebang(head, length, "python")) {
            return PYTHON;
        }
        if (name.endsWith(".d.ts") || name.endsWith(".d.mts") || name.endsWith(".d.cts")) {
            return TEXT; // TypeScript declarations: types only, nothing runs
        }
        if (name.endsWith(".js")
                || name.endsWith(".mjs")
                || name.endsWith(".cjs")
                || name.endsWith(".jsx")
                || name.endsWith(".ts")
                || name.endsWith(".tsx")
                || name.endsWith(".mts")
                || name.endsWith(".cts")
                || shebang(head, length, "node")
                || shebang(head, length, "bun")
                || shebang(head, length, "deno")) {
            return JAVASCRIPT;
        }
        if (name.endsWith(".sh")
                || name.endsWith(".bash")
                || name.endsWith(".zsh")
                || name.endsWith(".ps1")
                || name.endsWith(".bat")
                || name.endsWith(".cmd")
                || shebang(head, length, "sh")) {
            return SHELL;
        }
        return TEXT;
    }

    private static boolean startsWith(byte[] head, int length, int... magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasNul(byte[] head, int length) {
        for (int i = 0; i < length; i++) {
            if (head[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** A {@code #!} first line naming the interpreter (e.g. {@code #!/usr/bin/env python3}, {@code #!/bin/sh}). */
    private static boolean shebang(byte[] head, int length, String interpreter) {
        if (length < 3 || head[0] != '#' || head[1] != '!') {
            return false;
        }
        int end = 2;
        while (end < length && end < 200 && head[end] != '\n') {
            end++;
        }
        String line = new String(head, 2, end - 2, java.nio.charset.StandardCharsets.US_ASCII).trim();
        for (String word : line.split("[\\s/]+")) {
            if (word.equals(interpreter)
                    || (word.startsWith(interpreter)
                            && word.substring(interpreter.length()).matches("[0-9.]*"))
                    || (interpreter.equals("sh")
                            && (word.equals("bash") || word.equals("zsh") || word.equals("dash")))) {
                return true;
            }
        }
        return false;
    }
}
