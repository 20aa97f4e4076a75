package io.marginflow.topology.ingest;

/** Where an ingested record goes. */
public enum Route {
  /** On to attribution. */
  MAIN,
  /** To {@code <source>.dlq}: undeserializable or invalid (SPEC 2). */
  DLQ,
  /** To {@code <source>.late}: its bucket is already finalized. */
  LATE
}
