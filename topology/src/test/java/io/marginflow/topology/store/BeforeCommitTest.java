package io.marginflow.topology.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The pre-commit hook: a processor that forwards only from it still delivers every record, because Kafka Streams
 * runs it when it commits (the TopologyTestDriver commits after each input record).
 */
class BeforeCommitTest {
  private static final String STORE = "hook-store";

  /** Holds records and forwards them only when the hook runs; counts the hook's runs. */
  static final class Holding implements Processor<String, String, String, String> {
    private final List<Record<String, String>> held = new ArrayList<>();
    private ProcessorContext<String, String> context;
    private BeforeCommit hook;
    int runs;

    @Override
    public void init(ProcessorContext<String, String> context) {
      this.context = context;
      this.hook = new BeforeCommit(context, STORE, this::release);
    }

    @Override
    public void process(Record<String, String> record) {
      held.add(record);
      if (hook.supported()) {
        hook.arm();
      } else {
        release();
      }
    }

    private void release() {
      runs++;
      held.forEach(context::forward);
      held.clear();
    }
  }

  private static StoreBuilder<?> store() {
    return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(), Serdes.Long())
        .withCachingEnabled().withLoggingDisabled();
  }

  @Test
  void shouldForwardHeldRecordsWhenTheTaskCommits() {
    List<Holding> processors = new ArrayList<>();
    StreamsBuilder b = new StreamsBuilder();
    b.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
        .process(new ProcessorSupplier<String, String, String, String>() {
          @Override
          public Processor<String, String, String, String> get() {
            Holding p = new Holding();
            processors.add(p);
            return p;
          }

          @Override
          public Set<StoreBuilder<?>> stores() {
            return Set.of(store());
          }
        })
        .to("out", Produced.with(Serdes.String(), Serdes.String()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "before-commit-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(b.build(), props)) {
      TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
      TestOutputTopic<String, String> out = driver.createOutputTopic("out", new StringDeserializer(),
          new StringDeserializer());
      in.pipeInput("k1", "a");
      in.pipeInput("k2", "b");
      in.pipeInput("k1", "c");
      assertEquals(List.of("a", "b", "c"), out.readValuesToList());
      // (The supplier may be asked for more than one processor; one of them runs the task.)
      assertTrue(processors.stream().allMatch(p -> p.held.isEmpty()));
      assertEquals(3, processors.stream().mapToInt(p -> p.runs).sum(), "one run per commit with something held");
    }
  }

  @Test
  void shouldNotBeSupportedOutsideKafkaStreamsOwnContext() {
    MockProcessorContext<String, String> context = new MockProcessorContext<>();
    StoreBuilder<?> builder = store();
    org.apache.kafka.streams.processor.StateStore s = builder.withCachingDisabled().build();
    s.init(context.getStateStoreContext(), s);
    context.addStateStore(s);
    Holding p = new Holding();
    p.init(context);
    assertFalse(p.hook.supported());
    p.process(new Record<>("k", "v", 0L));
    assertEquals(1, context.forwarded().size(), "without the hook, records are not held back");
  }
}
