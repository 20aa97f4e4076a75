package io.marginflow.topology.app;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the memory of all RocksDB stores of the instance: one shared block cache, with memtables charged to it
 * through a write buffer manager (the documented Kafka Streams pattern). The total is
 * {@value #MEMORY_BYTES_CONFIG}; shared objects live for the JVM, as the pattern requires.
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {
  public static final String MEMORY_BYTES_CONFIG = "marginflow.rocksdb.memory.bytes";
  private static final long DEFAULT_BYTES = 256L * 1024 * 1024;
  private static Cache cache;
  private static WriteBufferManager writeBufferManager;

  private static synchronized void initShared(long bytes) {
    if (cache == null) {
      cache = new LRUCache(bytes, -1, false, 0.1);
      writeBufferManager = new WriteBufferManager(bytes / 4, cache);
    }
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    Object configured = configs.get(MEMORY_BYTES_CONFIG);
    initShared(configured == null ? DEFAULT_BYTES : Long.parseLong(configured.toString()));
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(cache);
    table.setCacheIndexAndFilterBlocks(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(writeBufferManager);
    options.setTableFormatConfig(table);
    options.setMaxWriteBufferNumber(2);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and write buffer manager are shared by every store: they must outlive any one store.
  }
}
