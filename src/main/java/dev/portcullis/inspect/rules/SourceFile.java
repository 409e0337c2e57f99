package dev.portcullis.inspect.rules;

import dev.portcullis.inspect.FileKind;
import dev.portcullis.inspect.Finding;
import dev.portcullis.inspect.Severity;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text file as the rules see it: its path in the archive, kind, the first bytes decoded as text
 * ({@code truncated} when the file is longer), and whole-file statistics from the manifest.
 */
public record SourceFile(String path, FileKind kind, String text, boolean truncated, long size, long longestLine) {

  /** One matching line: 1-based number and the line itself. */
  public record Hit(int line, String text) {}

  public String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  public String lowerName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public List<String> lines() {
    return text.lines().toList();
  }

  /** The first line matching {@code pattern}, if any. */
  public Optional<Hit> find(Pattern pattern) {
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      return Optional.empty();
    }
    return Optional.of(hitAt(m.start()));
  }

  /** How many times {@code pattern} matches, counting at most {@code cap}. */
  public int count(Pattern pattern, int cap) {
    Matcher m = pattern.matcher(text);
    int n = 0;
    while (n < cap && m.find()) {
      n++;
    }
    return n;
  }

  /** The line around character offset {@code index}. */
  public Hit hitAt(int index) {
    int line = 1;
    int start = 0;
    for (int i = 0; i < index; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        start = i + 1;
      }
    }
    int end = text.indexOf('\n', index);
    end = end < 0 ? text.length() : end;
    // Excerpt around the match, not the start of a very long line.
    int from = Math.max(start, index - 40);
    int to = Math.min(end, Math.max(index + 120, from + 160));
    return new Hit(line, text.substring(from, to));
  }

  public Finding finding(String rule, Severity severity, String message, Hit hit) {
    return new Finding(rule, severity, message, path, hit == null ? null : hit.line(), hit == null ? null : hit.text());
  }
}
