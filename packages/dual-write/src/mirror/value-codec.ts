import { InvalidArgumentError, jsonSourceOf, parseJsonKeepingSource, toHex, type Statement } from '@switchyard/core';

/**
 * A bound parameter in a JSON-safe form: `[tag, value]`. Tags keep what JSON would lose:
 * `'i'` bigint (decimal text), `'d'` Date (ISO text), `'b'` bytes (hex), `'j'` a JSON
 * value bound for a JSON column, `'s'` a JSON document read with its exact text (a
 * `JsonNumber`, or numbers a double rounds) as that text; plain strings, numbers, booleans and null pass as `'v'`.
 */
export type WireParam = ['v', string | number | boolean | null] | ['i' | 'd' | 'b' | 's', string] | ['j', unknown];

/** A statement as it travels in an outbox row or a queue message. */
export interface WireStatement {
  sql: string;
  params: WireParam[];
}

/**
 * Encodes statements for an outbox row or a queue message, keeping bigints exact and
 * bytes and dates intact.
 *
 * @example
 * ```ts
 * const wire = encodeStatements([{ sql: 'UPDATE t SET n = ? WHERE id = ?', params: [5n, 1] }]);
 * decodeStatements(wire); // [{ sql: ..., params: [5n, 1] }]
 * ```
 */
export function encodeStatements(statements: readonly Statement[]): WireStatement[] {
  return statements.map((s) => ({ sql: s.sql, params: (s.params ?? []).map((p, i) => encodeParam(p, i, s.sql)) }));
}

/**
 * Turns encoded statements back into statements with the original parameter values.
 *
 * @example
 * ```ts
 * await secondary.batch(decodeStatements(message.statements));
 * ```
 */
export function decodeStatements(encoded: readonly WireStatement[]): Statement[] {
  return encoded.map((s) => ({ sql: s.sql, params: s.params.map(decodeParam) }));
}

function encodeParam(value: unknown, index: number, sql: string): WireParam {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return ['v', value];
  if (typeof value === 'number') {
    // NaN and Infinity do not survive JSON: send them as text the engine would reject the same way.
    return Number.isFinite(value) ? ['v', value] : ['j', String(value)];
  }
  if (typeof value === 'bigint') return ['i', value.toString()];
  if (value instanceof Date) return ['d', value.toISOString()];
  if (value instanceof Uint8Array) return ['b', toHex(value)];
  if (value instanceof ArrayBuffer) return ['b', toHex(new Uint8Array(value))];
  const source = jsonSourceOf(value);
  if (source !== undefined) return ['s', source];
  if (typeof value === 'object') return ['j', value];
  throw new InvalidArgumentError(
    `Parameter ${index + 1} is ${value === undefined ? 'undefined' : `a ${typeof value}`}, which cannot be mirrored. ` +
      'Bind null, a string, a number, a bigint, a boolean, a Date, bytes or a JSON value.',
    { sql },
  );
}

function decodeParam([tag, value]: WireParam): unknown {
  switch (tag) {
    case 'i':
      return BigInt(value as string);
    case 'd':
      return new Date(value as string);
    case 'b':
      return hexToBytes(value as string);
    case 's':
      return parseJsonKeepingSource(value as string);
    default:
      return value;
  }
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
