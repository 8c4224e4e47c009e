import { qualifiedTableName, quoteIdentifier, type DatabaseAdapter, type TableInfo } from '@switchyard/core';

/**
 * Moves every serial/identity sequence of a Postgres table past the highest value now
 * in its column. Rows copied with explicit ids leave the sequence where it was (at 1
 * on a fresh table), and the application's next insert would collide. The sequence is
 * never moved backwards: dual writes may already have taken it further.
 */
export async function syncSequences(target: DatabaseAdapter, table: TableInfo): Promise<number> {
  if (target.dialect !== 'postgres') return 0;
  const ref = qualifiedTableName(table, 'postgres');
  let moved = 0;
  for (const column of table.columns) {
    if (column.logicalType !== 'integer') continue;
    const row = await target.first<{ seq: string | null }>('SELECT pg_get_serial_sequence(?, ?) AS seq', [ref, column.name]);
    if (!row?.seq) continue;
    await target.execute(
      `SELECT setval(?::regclass, GREATEST(COALESCE((SELECT max(${quoteIdentifier(column.name)}) FROM ${ref}), 1), ` +
        'COALESCE(pg_sequence_last_value(?::regclass), 1)))',
      [row.seq, row.seq],
    );
    moved++;
  }
  return moved;
}
