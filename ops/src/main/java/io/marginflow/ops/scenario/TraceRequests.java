package io.marginflow.ops.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;

/**
 * Arrival times and token counts from the public Azure LLM inference trace format
 * ({@code TIMESTAMP,ContextTokens,GeneratedTokens}, timestamps like 2023-11-16 18:15:46.6805900, read as UTC).
 */
public final class TraceRequests {
  private static final DateTimeFormatter TS = new DateTimeFormatterBuilder().appendPattern("yyyy-MM-dd HH:mm:ss")
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd().toFormatter();

  /** One request of the trace: offset from the trace's first request, prompt and generated tokens. */
  public record Request(long offsetMs, long contextTokens, long generatedTokens) {
  }

  private TraceRequests() {
  }

  public static List<Request> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    List<Request> out = new ArrayList<>();
    long first = Long.MIN_VALUE;
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",");
      if (f.length < 3) {
        continue;
      }
      long ts = LocalDateTime.parse(f[0].trim(), TS).toInstant(ZoneOffset.UTC).toEpochMilli();
      if (first == Long.MIN_VALUE) {
        first = ts;
      }
      out.add(new Request(ts - first, Long.parseLong(f[1].trim()), Long.parseLong(f[2].trim())));
    }
    return out;
  }
}
