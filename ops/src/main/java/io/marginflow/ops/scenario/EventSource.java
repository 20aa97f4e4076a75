package io.marginflow.ops.scenario;

import io.marginflow.avro.PowerSample;
import io.marginflow.avro.TokenUsage;
import io.marginflow.ops.scenario.Scenario.Row;
import java.util.Iterator;

/** A scenario's usage and power rows, each in file order: from memory, or streamed from the files. */
public interface EventSource {
  Rows<TokenUsage> usage();

  Rows<PowerSample> power();

  /** Rows to iterate once and close. */
  interface Rows<T> extends Iterator<Row<T>>, AutoCloseable {
    @Override
    void close();

    static <T> Rows<T> of(Iterator<Row<T>> rows, Runnable onClose) {
      return new Rows<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Row<T> next() {
          return rows.next();
        }

        @Override
        public void close() {
          onClose.run();
        }
      };
    }
  }
}
