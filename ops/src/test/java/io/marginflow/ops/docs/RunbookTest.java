package io.marginflow.ops.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.ops.cli.MarginflowCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/RUNBOOK.md covers every procedure operations needs, and each {@code bin/marginflow} command in it parses as
 * the CLI parses it (a renamed option breaks this test before it breaks an incident).
 */
class RunbookTest {
  private static final Path RUNBOOK = Path.of("../docs/RUNBOOK.md");

  @Test
  void shouldCoverEveryProcedureWithCommandsThatExist() throws Exception {
    List<String> lines = Files.readAllLines(RUNBOOK);
    List<String> headings = lines.stream().filter(l -> l.startsWith("## ")).map(l -> l.substring(3)).toList();
    for (String procedure : List.of("Scale out", "Replace an instance", "Add partitions", "Reset the application",
        "Replay history into a cluster", "Rotate credentials", "Recover from a poison pill", "A stuck watermark",
        "A full disk", "A lost broker")) {
      assertTrue(headings.contains(procedure), "the runbook covers: " + procedure + " (" + headings + ")");
    }
    List<List<String>> commands = commands(lines);
    assertTrue(commands.size() >= 5, "commands: " + commands);
    for (List<String> args : commands) {
      new CommandLine(new MarginflowCli()).parseArgs(args.toArray(String[]::new));
    }
    // Every alerting rule's runbook link points at a section that exists.
    String rules = Files.readString(Path.of("monitoring/prometheus-rules.yaml"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("RUNBOOK\\.md#([a-z0-9-]+)").matcher(rules);
    int links = 0;
    while (m.find()) {
      String anchor = m.group(1);
      assertTrue(headings.stream().anyMatch(h -> anchor(h).equals(anchor)), "rules link to #" + anchor);
      links++;
    }
    assertEquals(7, links, "one link per rule");
  }

  /** The bin/marginflow commands of the code blocks, continuation lines joined, split as a shell would. */
  static List<List<String>> commands(List<String> lines) {
    List<List<String>> out = new ArrayList<>();
    boolean code = false;
    StringBuilder pending = null;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.startsWith("```")) {
        code = !code;
        continue;
      }
      if (!code) {
        continue;
      }
      if (pending == null && line.startsWith("bin/marginflow ")) {
        pending = new StringBuilder();
      }
      if (pending != null) {
        boolean more = line.endsWith("\\");
        pending.append(more ? line.substring(0, line.length() - 1) : line).append(' ');
        if (!more) {
          List<String> words = new ArrayList<>(List.of(pending.toString().replaceAll("#.*", "").trim().split("\\s+")));
          out.add(words.subList(1, words.size()));
          pending = null;
        }
      }
    }
    return out;
  }

  /** GitHub's heading anchor: lower case, spaces to dashes, punctuation dropped. */
  static String anchor(String heading) {
    return heading.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
  }
}
