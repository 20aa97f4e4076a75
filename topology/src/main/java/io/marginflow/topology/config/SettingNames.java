package io.marginflow.topology.config;

import java.util.Collection;
import java.util.Comparator;

/** "Did you mean" for a mistyped setting: the closest known name within a few edits. */
final class SettingNames {
  private SettingNames() {
  }

  /** {@code "; did you mean 'x'?"} for the known name nearest to {@code key}, or "" when none is near. */
  static String suggestion(String key, Collection<String> known) {
    int limit = Math.max(2, key.length() / 4);
    return known.stream()
        .map(k -> new Candidate(k, distance(key, k)))
        .filter(c -> c.distance() <= limit)
        .min(Comparator.comparingInt(Candidate::distance).thenComparing(Candidate::name))
        .map(c -> "; did you mean '" + c.name() + "'?")
        .orElse("");
  }

  private record Candidate(String name, int distance) {
  }

  /** Levenshtein distance (insertions, deletions, substitutions), case-sensitive. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(substitution, Math.min(prev[j], cur[j - 1]) + 1);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
