package io.marginflow.topology.store;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * Runs an action before the task commits, so a processor may hold work in memory between records (for example sums
 * not yet sent on) without the commit taking input offsets past records whose effect is only in memory.
 *
 * <p>Kafka Streams has no public pre-commit callback for processors. The DSL's aggregations get theirs from the record
 * cache: before a commit (and on eviction) the cache of a store is flushed, calling the store's flush listener, which
 * may forward downstream within the same transaction. This class uses that same mechanism on a one-entry cached store:
 * {@link #arm()} dirties the entry when work is pending; the flush of that entry runs the action as the processor's
 * own node. Where the context is not Kafka Streams' own (e.g. {@code MockProcessorContext}), {@link #supported()} is
 * false and the caller must not hold work back.
 */
public final class BeforeCommit {
  private static final String KEY = "pending";
  private final KeyValueStore<String, Long> store;
  private final InternalProcessorContext<?, ?> internal;
  private final Runnable action;
  private ProcessorNode<?, ?, ?, ?> node;
  private boolean armed;

  @SuppressWarnings("unchecked")
  public BeforeCommit(ProcessorContext<?, ?> context, String storeName, Runnable action) {
    this.store = context.getStateStore(storeName);
    this.action = action;
    if (context instanceof InternalProcessorContext<?, ?> ipc && store instanceof WrappedStateStore<?, ?, ?> wrapped) {
      if (!((WrappedStateStore<?, String, Long>) wrapped).setFlushListener(record -> run(), false)) {
        throw new IllegalStateException("store " + storeName + " must have caching enabled");
      }
      this.internal = ipc;
    } else {
      this.internal = null;
    }
  }

  public boolean supported() {
    return internal != null;
  }

  /** Called from {@code process} whenever work becomes pending: the next commit (or cache eviction) runs the action. */
  public void arm() {
    if (node == null) {
      node = internal.currentNode();
    }
    if (!armed) {
      armed = true;
      store.put(KEY, 1L);
    }
  }

  private void run() {
    armed = false;
    ProcessorNode<?, ?, ?, ?> previous = internal.currentNode();
    internal.setCurrentNode(node);
    try {
      action.run();
    } finally {
      internal.setCurrentNode(previous);
    }
  }
}
