import type { DatabaseAdapter, LogicalType } from '@switchyard/core';
import type { ConformanceContext } from '../conformance-context';
import { ddl } from '../schema-ddl';

/** One value to write and read back, with the logical type it is compared as. */
export interface ValueCase {
  label: string;
  type: LogicalType;
  value: unknown;
  /** Runs only when true for the adapter under test. */
  when?: boolean;
}

const MB = 1024 * 1024;
/** The column of the values table that holds each logical type. */
export const VALUE_COLUMN: Record<LogicalType, string> = {
  integer: 'v_int',
  boolean: 'v_bool',
  timestamp: 'v_ts',
  json: 'v_json',
  blob: 'v_blob',
  numeric: 'v_num',
  real: 'v_real',
  text: 'v_text',
};

function bytes(length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

/** Every value kind of the normalization table, with the edges that break adapters. */
export function valueCases(ctx: ConformanceContext): ValueCase[] {
  const { capabilities, dialect } = ctx.adapter;
  // A megabyte of text that is not all ASCII: 2- and 4-byte UTF-8 sequences inside.
  const bigText = ('abcdefgh-é-😀-'.repeat(Math.ceil(MB / 12)) as string).slice(0, MB - 4) + 'end.';
  return [
    { label: 'zero', type: 'integer', value: 0 },
    { label: 'negative', type: 'integer', value: -42 },
    { label: '2^31', type: 'integer', value: 2 ** 31 },
    { label: 'MAX_SAFE_INTEGER', type: 'integer', value: Number.MAX_SAFE_INTEGER },
    { label: 'MIN_SAFE_INTEGER', type: 'integer', value: Number.MIN_SAFE_INTEGER },
    { label: 'a safe bigint', type: 'integer', value: 1234567890123n },
    { label: '2^53+1 as bigint', type: 'integer', value: 2n ** 53n + 1n, when: capabilities.exactInt64 },
    { label: '-2^63', type: 'integer', value: -(2n ** 63n), when: capabilities.exactInt64 },
    { label: '2^63-1', type: 'integer', value: 2n ** 63n - 1n, when: capabilities.exactInt64 },
    { label: 'true', type: 'boolean', value: true },
    { label: 'false', type: 'boolean', value: false },
    { label: 'a Date with milliseconds', type: 'timestamp', value: new Date('2024-02-29T23:59:59.123Z') },
    { label: 'the epoch', type: 'timestamp', value: new Date(0) },
    { label: 'a Date before 1970', type: 'timestamp', value: new Date('1969-07-20T20:17:40.000Z') },
    { label: 'ISO-8601 UTC text', type: 'timestamp', value: '2021-06-30T12:00:00.500Z' },
    {
      label: 'a nested object',
      type: 'json',
      value: { z: 1, a: { list: [1, 2.5, { deep: [true, false, null] }], text: 'é 😀' }, empty: {}, none: null },
    },
    { label: 'a nested array', type: 'json', value: [1, 'two', [3, [4]], { five: 5 }, []] },
    { label: 'an empty object', type: 'json', value: {} },
    { label: 'an empty array', type: 'json', value: [] },
    { label: 'bytes 0..255', type: 'blob', value: Uint8Array.from({ length: 256 }, (_, i) => i) },
    { label: 'a Buffer', type: 'blob', value: Buffer.from('deadbeef00ff', 'hex') },
    { label: 'an empty Buffer', type: 'blob', value: Buffer.alloc(0) },
    { label: 'a 1 MB blob', type: 'blob', value: bytes(MB) },
    { label: 'a decimal string', type: 'numeric', value: '12345.678' },
    { label: 'a negative decimal', type: 'numeric', value: '-0.5' },
    { label: 'a number', type: 'numeric', value: 0.25 },
    { label: 'an integral decimal', type: 'numeric', value: '100' },
    // SQLite's NUMERIC affinity keeps 15 significant digits; Postgres numeric is exact.
    { label: 'a 29-digit decimal', type: 'numeric', value: '12345678901234567890.123456789', when: dialect === 'postgres' },
    { label: '0.1', type: 'real', value: 0.1 },
    { label: 'pi', type: 'real', value: Math.PI },
    { label: 'a huge negative', type: 'real', value: -1.5e300 },
    { label: 'a tiny positive', type: 'real', value: 4.9e-300 },
    { label: 'zero', type: 'real', value: 0 },
    { label: 'the empty string', type: 'text', value: '' },
    { label: 'plain text', type: 'text', value: 'hello, world' },
    { label: 'emoji and other non-BMP text', type: 'text', value: '😀 𝄞 𠜎 👩‍👩‍👧 e\u0301' },
    { label: 'quotes, backslashes and newlines', type: 'text', value: `it's "quoted" \\ back\nslash\ttab` },
    { label: 'text that looks like a number', type: 'text', value: '00123' },
    { label: 'a question mark', type: 'text', value: '?' },
    { label: 'a 1 MB string', type: 'text', value: bigText },
  ];
}

/** Creates a table with an `id` key and one column per logical type (see {@link VALUE_COLUMN}). */
export async function createValuesTable(adapter: DatabaseAdapter, table: string): Promise<void> {
  await adapter.execute(
    ddl(
      adapter,
      `CREATE TABLE ${table} (id {integer} PRIMARY KEY, v_int {integer}, v_bool {boolean}, v_ts {timestamp},
       v_json {json}, v_blob {blob}, v_num {numeric}, v_real {real}, v_text {text})`,
    ),
  );
}
