package io.marginflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.schemas.compat.SchemaHistoryCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaHistoryCheckTest {
  private static final String V1 = """
      {"type":"record","name":"Thing","namespace":"t","doc":"d","fields":[
        {"name":"id","type":"string","doc":"d"}]}""";

  @Test
  void shouldAcceptTheCommittedSchemas() throws IOException {
    List<String> problems = SchemaHistoryCheck.check(Path.of("src/main/avro"), Path.of("src/history"));
    assertEquals(List.of(), problems);
  }

  @Test
  void shouldAcceptAnOptionalFieldWithADefault(@TempDir Path dir) throws IOException {
    write(dir, V1, """
        {"type":"record","name":"Thing","namespace":"t","doc":"d","fields":[
          {"name":"id","type":"string","doc":"d"},
          {"name":"note","type":["null","string"],"default":null,"doc":"d"}]}""");
    assertEquals(List.of(), SchemaHistoryCheck.check(dir.resolve("current"), dir.resolve("history")));
  }

  @Test
  void shouldRejectANewFieldWithoutDefault(@TempDir Path dir) throws IOException {
    write(dir, V1, """
        {"type":"record","name":"Thing","namespace":"t","doc":"d","fields":[
          {"name":"id","type":"string","doc":"d"},
          {"name":"count","type":"long","doc":"d"}]}""");
    List<String> problems = SchemaHistoryCheck.check(dir.resolve("current"), dir.resolve("history"));
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).contains("READER_FIELD_MISSING_DEFAULT"), problems.get(0));
  }

  @Test
  void shouldRejectANarrowedType(@TempDir Path dir) throws IOException {
    write(dir, V1.replace("\"string\"", "\"long\""), V1.replace("\"string\"", "\"int\""));
    List<String> problems = SchemaHistoryCheck.check(dir.resolve("current"), dir.resolve("history"));
    assertEquals(1, problems.size(), problems.toString());
  }

  @Test
  void shouldRejectASchemaWithoutHistory(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("current"));
    Files.createDirectories(dir.resolve("history"));
    Files.writeString(dir.resolve("current/Thing.avsc"), V1);
    assertTrue(SchemaHistoryCheck.check(dir.resolve("current"), dir.resolve("history")).get(0).contains("no history"));
  }

  private static void write(Path dir, String previous, String current) throws IOException {
    Files.createDirectories(dir.resolve("current"));
    Files.createDirectories(dir.resolve("history/Thing"));
    Files.writeString(dir.resolve("history/Thing/v1.avsc"), previous);
    Files.writeString(dir.resolve("current/Thing.avsc"), current);
  }
}
