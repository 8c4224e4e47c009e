import { createSQLiteAdapter } from '@switchyard/sqlite';
import type { DatabaseAdapter } from '@switchyard/core';
import type { DualWriteEvent, DualWriteOptions } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';

/** A dual-write adapter over two in-memory SQLite databases named left and right, with the events it emitted. */
export function sqlitePair(options: DualWriteOptions = {}) {
  const a = createSQLiteAdapter(':memory:', { name: 'left' });
  const b = createSQLiteAdapter(':memory:', { name: 'right' });
  const events: DualWriteEvent[] = [];
  const adapter = createDualWriteAdapter(a, b, { onEvent: (e) => events.push(e), ...options });
  return { a, b, adapter, events };
}

/** The rows of `table` on one side, in key order. */
export const rowsOf = (side: DatabaseAdapter, table = 't') => side.query(`SELECT * FROM ${table} ORDER BY id`);
