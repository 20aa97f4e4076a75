package io.marginflow.topology.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Client mistakes in query parameters are 400s that say what is wrong, never arithmetic on absurd values. */
class ParamsTest {
  @Test
  void shouldRefuseInstantsBeyondTheYear9999AndMalformedEscapes() {
    ApiError huge = assertThrows(ApiError.class, () -> new Params("to=9223372036854775807").range(0, 3_600_000L));
    assertEquals(400, huge.status());
    assertEquals(400, assertThrows(ApiError.class, () -> new Params("window=%ZZ")).status());
    assertEquals(400, assertThrows(ApiError.class, () -> new Params("from=-1").range(0, 1)).status());
    assertArrayEquals(new long[] {Params.MAX_EPOCH_MS - 3_600_000L, Params.MAX_EPOCH_MS},
        new Params("to=" + Params.MAX_EPOCH_MS).range(0, 3_600_000L));
  }
}
