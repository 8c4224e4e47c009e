import {
  InvalidArgumentError,
  fromStoredValue,
  parseJsonKeepingSource,
  toStoredValue,
  type Statement,
  type StoredValue,
} from '@switchyard/core';

/**
 * A bound parameter as version 1 messages carried it: `[tag, value]`, with `'i'` bigint,
 * `'d'` Date, `'b'` bytes (hex), `'j'` a JSON value, `'s'` a JSON document's exact text
 * and `'v'` anything JSON keeps as it is. Still read; written no more.
 *
 * @deprecated Messages now carry core's `StoredValue`s (see {@link WireStatement}).
 */
export type WireParam = ['v', string | number | boolean | null] | ['i' | 'd' | 'b' | 's', string] | ['j', unknown];

/**
 * A statement as it travels in an outbox row or a queue message: its parameters as
 * core's stored values (`toStoredValue`), which keep bigints, dates with microseconds,
 * bytes, NaN and exact JSON text.
 */
export interface WireStatement {
  sql: string;
  params: StoredValue[];
}

/**
 * Encodes statements for an outbox row or a queue message, keeping bigints exact and
 * bytes and dates intact. `undefined`, functions and symbols are an `InvalidArgumentError`
 * naming the parameter.
 *
 * @example
 * ```ts
 * const wire = encodeStatements([{ sql: 'UPDATE t SET n = ? WHERE id = ?', params: [5n, 1] }]);
 * decodeStatements(wire); // [{ sql: ..., params: [5n, 1] }]
 * ```
 */
export function encodeStatements(statements: readonly Statement[]): WireStatement[] {
  return statements.map((s) => ({ sql: s.sql, params: encodeParams(s) }));
}

/**
 * A statement's parameters as they travel (see {@link encodeStatements}).
 *
 * @example
 * ```ts
 * encodeParams({ sql: 'UPDATE t SET n = ? WHERE id = ?', params: [5n, 1] }); // [{ $int: '5' }, 1]
 * ```
 */
export function encodeParams(statement: Statement): StoredValue[] {
  const params = statement.params ?? [];
  const out = new Array<StoredValue>(params.length);
  for (let i = 0; i < params.length; i++) out[i] = wireParam(params[i], i, statement.sql);
  return out;
}

/**
 * Turns encoded statements back into statements with the original parameter values;
 * reads the parameters of version 1 messages ({@link WireParam}) too.
 *
 * @example
 * ```ts
 * await secondary.batch(decodeStatements(message.statements));
 * ```
 */
export function decodeStatements(encoded: readonly { sql: string; params: readonly unknown[] }[]): Statement[] {
  return encoded.map((s) => ({
    sql: s.sql,
    params: s.params.map((p) => (Array.isArray(p) ? legacyParam(p as WireParam) : fromStoredValue(p))),
  }));
}

function wireParam(value: unknown, index: number, sql: string): StoredValue {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    throw new InvalidArgumentError(
      `Parameter ${index + 1} is ${value === undefined ? 'undefined' : `a ${typeof value}`}, which cannot be mirrored. ` +
        'Bind null, a string, a number, a bigint, a boolean, a Date, bytes or a JSON value.',
      { sql },
    );
  }
  return toStoredValue(value);
}

// A stored value is never a bare array (arrays are tagged `$array`), so an array is a v1 parameter.
function legacyParam([tag, value]: WireParam): unknown {
  switch (tag) {
    case 'i':
      return BigInt(value as string);
    case 'd':
      return new Date(value as string);
    case 'b':
      return fromStoredValue({ $bytes: value });
    case 's':
      return parseJsonKeepingSource(value as string);
    default:
      return value;
  }
}
