package io.marginflow.ops.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dialect as the scenario files use it: physical line numbers for bad rows, no quoting, any line ending. */
class CsvTest {

  @Test
  void shouldNumberRowsByTheirLineSkippingBlankOnesAndKeepQuotesAsText(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("t.csv"),
        "\uFEFFA,b\r\n1,x\r\n\r\n   \n2,\"y\"\n3,z,extra\n4\n");
    List<Csv.Line> lines = Csv.read(f, List.of("a", "b"));
    assertEquals(List.of(2, 5, 6, 7), lines.stream().map(Csv.Line::number).toList());
    assertEquals("x", lines.get(0).get("b"));
    assertEquals("\"y\"", lines.get(1).get("b"), "no quoting: a quote is text");
    assertEquals("2,\"y\"", lines.get(1).text());
    assertEquals("z", lines.get(2).get("b"));
    assertEquals("", lines.get(3).get("b"), "a short row reads as empty");
    assertEquals(Map.of(5, "2,\"y\""), Csv.lines(f, Set.of(5)));
  }

  @Test
  void shouldRefuseARepeatedOrMissingColumnNamingTheFile(@TempDir Path dir) throws Exception {
    Path twice = Files.writeString(dir.resolve("twice.csv"), "a,A\n1,2\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.read(twice, List.of("a")));
    assertTrue(e.getMessage().contains("twice.csv") && e.getMessage().contains("appears twice"), e.getMessage());
    assertTrue(Csv.read(dir.resolve("absent.csv"), List.of("a")).isEmpty(), "an absent file has no rows");
    assertTrue(Csv.read(Files.writeString(dir.resolve("empty.csv"), ""), List.of("a")).isEmpty());
  }
}
