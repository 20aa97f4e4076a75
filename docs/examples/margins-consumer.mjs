// A billing team's consumer of marginflow's final margins: kafkajs reads margins.tenant.v1 and Confluent's own
// Avro deserializer decodes each record through the schema registry. Money fields are Avro decimal(38,9): bytes
// holding the two's-complement unscaled value, turned into a plain decimal string here.
//   npm install kafkajs@2.2.4 @confluentinc/schemaregistry@1.10.1
//   node margins-consumer.mjs localhost:9092 http://127.0.0.1:8081
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistryClient, AvroDeserializer, SerdeType } from '@confluentinc/schemaregistry';

const [bootstrap = 'localhost:9092', registry = 'http://127.0.0.1:8081', topic = 'margins.tenant.v1'] = process.argv.slice(2);
const deserializer = new AvroDeserializer(new SchemaRegistryClient({ baseURLs: [registry] }), SerdeType.VALUE, {});
const kafka = new Kafka({ clientId: 'billing-example', brokers: bootstrap.split(','), logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: 'billing-example' });

const usd = (buf) => {
  if (!Buffer.isBuffer(buf)) return buf;
  const hex = buf.toString('hex') || '00';
  let v = BigInt('0x' + hex);
  if (buf.length && buf[0] & 0x80) v -= 1n << BigInt(buf.length * 8);
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(10, '0');
  return (neg ? '-' : '') + s.slice(0, -9) + '.' + s.slice(-9);
};

await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    if (message.value === null) return;
    const m = await deserializer.deserialize(topic, message.value);
    console.log(JSON.stringify({
      tenant_id: m.tenant_id, window: m.window, window_start: new Date(Number(m.window_start_ms)).toISOString(),
      requests: Number(m.requests), revenue_usd: usd(m.revenue_usd), total_cost_usd: usd(m.total_cost_usd),
      gross_margin_usd: usd(m.gross_margin_usd),
    }));
  },
});
