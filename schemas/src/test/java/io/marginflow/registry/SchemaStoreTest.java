package io.marginflow.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marginflow.registry.store.CompatibilityLevel;
import io.marginflow.registry.store.SchemaStore;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaStoreTest {
  static final Schema V1 = SchemaStore.parse("""
      {"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}""");
  static final Schema V2 = SchemaStore.parse("""
      {"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"int","default":0}]}""");
  static final Schema BREAKING = SchemaStore.parse("""
      {"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"c","type":"int"}]}""");

  @Test
  void shouldGiveTheSameIdToTheSameSchemaInEverySubject() {
    SchemaStore store = new SchemaStore();
    int first = store.register("t1-value", V1).id();
    assertEquals(first, store.register("t1-value", V1).id());
    assertEquals(first, store.register("t2-value", V1).id());
    assertEquals(List.of(1), store.versions("t1-value"));
    assertEquals(List.of("t1-value", "t2-value"), store.subjectsOf(first));
  }

  @Test
  void shouldAddVersionsForCompatibleChangesAndRejectBreakingOnes() {
    SchemaStore store = new SchemaStore();
    store.register("s", V1);
    RegisteredSchema second = store.register("s", V2);
    assertEquals(2, second.version());
    assertEquals(2, store.version("s", -1).version());
    RegistryException e = assertThrows(RegistryException.class, () -> store.register("s", BREAKING));
    assertEquals(RegistryException.INCOMPATIBLE_SCHEMA, e.errorCode());
    assertEquals(409, e.httpStatus());
    assertFalse(store.isCompatible("s", BREAKING));
  }

  @Test
  void shouldAllowBreakingChangesUnderNone() {
    SchemaStore store = new SchemaStore();
    store.register("s", V1);
    store.setSubjectLevel("s", CompatibilityLevel.NONE);
    assertEquals(2, store.register("s", BREAKING).version());
  }

  @Test
  void shouldCheckForwardAndTransitiveLevels() {
    assertTrue(CompatibilityLevel.FORWARD.allows(V1, List.of(V2)));
    assertFalse(CompatibilityLevel.BACKWARD.allows(BREAKING, List.of(V1)));
    assertTrue(CompatibilityLevel.BACKWARD.allows(V1, List.of(BREAKING, V2)));
    assertFalse(CompatibilityLevel.FULL_TRANSITIVE.allows(V2, List.of(BREAKING, V1)));
  }

  @Test
  void shouldAnswerConfluentErrorCodesForMissingThings() {
    SchemaStore store = new SchemaStore();
    assertEquals(RegistryException.SUBJECT_NOT_FOUND, assertThrows(RegistryException.class, () -> store.versions("x")).errorCode());
    assertEquals(RegistryException.SCHEMA_NOT_FOUND, assertThrows(RegistryException.class, () -> store.byId(7)).errorCode());
    store.register("s", V1);
    assertEquals(RegistryException.VERSION_NOT_FOUND,
        assertThrows(RegistryException.class, () -> store.version("s", 5)).errorCode());
    assertEquals(RegistryException.INVALID_SCHEMA,
        assertThrows(RegistryException.class, () -> SchemaStore.parse("{\"type\":\"nope\"}")).errorCode());
  }

  @Test
  void shouldSoftDeleteSubjectsButKeepIds() {
    SchemaStore store = new SchemaStore();
    int id = store.register("s", V1).id();
    assertEquals(List.of(1), store.deleteSubject("s"));
    assertEquals(List.of(), store.subjects());
    assertEquals(V1, store.byId(id));
    assertEquals(id, store.register("s", V1).id());
  }

  @Test
  void shouldKeepIdsAcrossARestartThroughTheJournal(@TempDir Path dir) {
    Path journal = dir.resolve("registry.journal");
    SchemaStore first = new SchemaStore(journal);
    first.register("a", V1);
    int v2 = first.register("a", V2).id();
    first.setGlobalLevel(CompatibilityLevel.FULL);

    SchemaStore reopened = new SchemaStore(journal);
    assertEquals(v2, reopened.version("a", -1).id());
    assertEquals(CompatibilityLevel.FULL, reopened.globalLevel());
    assertEquals(v2 + 1, reopened.register("b", BREAKING).id());
  }
}
