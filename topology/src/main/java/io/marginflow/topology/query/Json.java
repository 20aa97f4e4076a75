package io.marginflow.topology.query;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The one JSON mapper for everything marginflow writes as JSON (query API, replay files, webhook bodies): money
 * and other decimals in plain notation ({@code 0.000000000}, never {@code 0E-9}), as SPEC 7 and 8 ask, and read back
 * as exact decimals. Thread-safe.
 */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
      // Read money back exactly (another instance's answer, a replay file): never through a double.
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      // ... and keep their scale: another instance's 0.000000000 is forwarded as 0.000000000, not 0.
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .build();

  private Json() {
  }
}
