// Confluent's own JavaScript Schema Registry client and Avro serde, driven by ConfluentNodeClientInteropIT.
//   node interop.mjs decode <registry-url> <topic> <hex payload>     -> prints the record as JSON
//   node interop.mjs encode <registry-url> <topic> <subject> <schema file> <json record>  -> prints the hex payload
// Decimal (bytes) fields travel as hex strings of their two's-complement unscaled value.
import { readFileSync } from 'node:fs';
import { SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType } from '@confluentinc/schemaregistry';

const [mode, url, topic, ...rest] = process.argv.slice(2);
const client = new SchemaRegistryClient({ baseURLs: [url] });

function toJson(value) {
  return JSON.stringify(value, (key, v) => {
    if (v && v.type === 'Buffer' && Array.isArray(v.data)) return Buffer.from(v.data).toString('hex');
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
}

function decimalsToBuffers(schema, record) {
  for (const field of schema.fields) {
    const type = field.type;
    if (type && type.type === 'bytes' && typeof record[field.name] === 'string') {
      record[field.name] = Buffer.from(record[field.name], 'hex');
    }
  }
  return record;
}

if (mode === 'decode') {
  const payload = Buffer.from(rest[0], 'hex');
  const deserializer = new AvroDeserializer(client, SerdeType.VALUE, {});
  const record = await deserializer.deserialize(topic, payload);
  process.stdout.write(toJson(record) + '\n');
} else if (mode === 'encode') {
  const [subject, schemaFile, json] = rest;
  const schemaText = readFileSync(schemaFile, 'utf8');
  await client.register(subject, { schemaType: 'AVRO', schema: schemaText });
  const serializer = new AvroSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: false, useLatestVersion: true });
  const record = decimalsToBuffers(JSON.parse(schemaText), JSON.parse(json));
  const payload = await serializer.serialize(topic, record);
  process.stdout.write(payload.toString('hex') + '\n');
} else {
  process.stderr.write('usage: interop.mjs decode|encode ...\n');
  process.exit(2);
}
