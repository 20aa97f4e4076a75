// A billing team's second consumer of marginflow's input topics: kafkajs reads every record of the given topics from
// the beginning and decodes each value with Confluent's own Avro deserializer, ticks included. Driven by
// ConfluentNodeClientInteropIT.
//   node read-topics.mjs <bootstrap> <registry-url> <topic>...   -> prints {"<topic>": {records, ticks, failures}}
// A tick (SPEC 1) has a null value, which a consumer reads as "no record", as it does a tombstone.
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistryClient, AvroDeserializer, SerdeType } from '@confluentinc/schemaregistry';

const [bootstrap, url, ...topics] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'interop-reader', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
const deserializer = new AvroDeserializer(new SchemaRegistryClient({ baseURLs: [url] }), SerdeType.VALUE, {});
const admin = kafka.admin();
await admin.connect();
const remaining = new Map();
const result = {};
for (const topic of topics) {
  result[topic] = { records: 0, ticks: 0, nullWithoutTickHeader: 0, failures: [] };
  for (const p of await admin.fetchTopicOffsets(topic)) {
    if (Number(p.high) > Number(p.low)) remaining.set(`${topic}/${p.partition}`, Number(p.high));
  }
}
await admin.disconnect();

const consumer = kafka.consumer({ groupId: `interop-reader-${Date.now()}` });
await consumer.connect();
await consumer.subscribe({ topics, fromBeginning: true });
const done = new Promise((resolve) => {
  if (remaining.size === 0) resolve();
  consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const r = result[topic];
      try {
        if (message.value === null) {
          if (message.headers['marginflow.tick'] !== undefined) r.ticks++; else r.nullWithoutTickHeader++;
        } else {
          const record = await deserializer.deserialize(topic, message.value);
          if (record === null || typeof record !== 'object') throw new Error('decoded to ' + record);
          r.records++;
        }
      } catch (e) {
        if (r.failures.length < 5) r.failures.push(`${partition}@${message.offset}: ${e.message}`);
        r.failed = (r.failed ?? 0) + 1;
      }
      const key = `${topic}/${partition}`;
      if (remaining.has(key) && Number(message.offset) + 1 >= remaining.get(key)) {
        remaining.delete(key);
        if (remaining.size === 0) resolve();
      }
    },
  });
});
const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('timed out; left: ' + [...remaining.keys()])), 60000));
try {
  await Promise.race([done, timeout]);
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  await consumer.disconnect();
}
process.exit(0);
