import type { EncodedStatement, RawRows } from '@switchyard/core';
import type { D1DatabaseLike, D1ResultLike } from '../d1-database';

/** How statements reach D1: through a Workers binding or over the REST API. */
export interface D1Transport {
  run(statement: EncodedStatement): Promise<D1ResultLike>;
  /** Runs one statement for its rows as arrays in column order, with the column names. */
  runRaw(statement: EncodedStatement): Promise<RawRows>;
  /** Runs statements as one D1 batch, which D1 applies as one transaction. */
  batch(statements: EncodedStatement[]): Promise<D1ResultLike[]>;
  close?(): Promise<void>;
}

/** A transport over a D1 binding. */
export function bindingTransport(binding: D1DatabaseLike): D1Transport {
  return {
    run: ({ sql, params }) =>
      binding
        .prepare(sql)
        .bind(...params.map(ownBytes))
        .all(),
    async runRaw({ sql, params }) {
      const [columns = [], ...rows] = await binding
        .prepare(sql)
        .bind(...params.map(ownBytes))
        .raw<unknown[]>({ columnNames: true });
      return { columns, rows };
    },
    batch: (statements) => binding.batch(statements.map(({ sql, params }) => binding.prepare(sql).bind(...params.map(ownBytes)))),
  };
}

/**
 * Gives bytes a buffer of their own. A Node `Buffer` is often a view into a shared pool;
 * bindings that serialise their arguments (Miniflare's proxy, RPC) expect a plain
 * `Uint8Array` spanning its whole buffer. In a Worker this is a no-op.
 */
function ownBytes(value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return value;
  const plain = value.constructor === Uint8Array && value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
  return plain ? value : new Uint8Array(value);
}
