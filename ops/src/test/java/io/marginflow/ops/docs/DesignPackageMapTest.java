package io.marginflow.ops.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/DESIGN.md's package map names exactly the topology's packages: a package added or removed updates it. */
class DesignPackageMapTest {
  private static final Path SOURCES = Path.of("../topology/src/main/java/io/marginflow/topology");

  @Test
  void shouldMapEveryPackageOfTheTopologyAndNoOther() throws Exception {
    Set<String> packages = new TreeSet<>();
    try (Stream<Path> dirs = Files.list(SOURCES)) {
      dirs.filter(Files::isDirectory).forEach(d -> packages.add(d.getFileName().toString()));
    }
    String design = Files.readString(Path.of("../docs/DESIGN.md"));
    String map = design.substring(design.indexOf("## Package map"), design.indexOf("\n## ", design.indexOf("## Package map") + 1));
    Set<String> mapped = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\| `([a-z]+)` \\|").matcher(map);
    while (m.find()) {
      mapped.add(m.group(1));
    }
    assertEquals(packages, mapped, "packages in the code against docs/DESIGN.md's package map");
  }
}
