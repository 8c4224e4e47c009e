import { InvalidArgumentError, type AbandonedSession, type DatabaseAdapter, type Row } from '@switchyard/core';
import {
  decodeJournalParams,
  decodeJournalStatements,
  encodeJournalParams,
  encodeJournalStatements,
  storedStatements,
} from './_internal/journal-params';
import type { JournalEntry, NewJournalEntry, WriteJournal } from './journal-types';
import type { RowRef } from './row-ref';
import { executeKeepingSession } from './_internal/sqlite-session-state';

/** Options of {@link tableJournal}. */
export interface TableJournalOptions {
  /** Table holding the entries; created when missing. Default `'_switchyard_journal'`. */
  table?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A durable journal: entries live in a table (created when missing), so a restart
 * loses nothing — a new dual-write adapter on the same table replays them. Keep it on
 * the primary, which is written before the journal and is the side that is up.
 * Parameters keep their types (`Date` with microseconds, `bigint`, bytes) through the round
 * trip; entries written by earlier releases are still read.
 *
 * @example
 * ```ts
 * const journal = tableJournal(sqlite, { table: '_switchyard_journal' });
 * const adapter = createDualWriteAdapter(sqlite, pg, { journal, continueOnSecondaryFailure: true });
 * await adapter.replayJournal(); // after a restart, too
 * ```
 */
export function tableJournal(adapter: DatabaseAdapter, options: TableJournalOptions = {}): WriteJournal {
  const table = options.table ?? '_switchyard_journal';
  if (!IDENTIFIER.test(table)) {
    throw new InvalidArgumentError(
      `tableJournal: "${table}" is not a plain table name. Use letters, digits and underscores, starting with a letter or underscore.`,
    );
  }
  let ready: Promise<void> | undefined;
  const ensure = () => {
    // A failed creation is retried on the next call instead of being remembered.
    ready ??= createTable(adapter, table).catch((error) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  return {
    kind: `table:${table}`,
    location: { adapter, table },
    async append(entry: NewJournalEntry) {
      await ensure();
      // On the primary's better-sqlite3 connection, the app's last_insert_rowid() and changes() stay its own.
      const { rows } = await executeKeepingSession(adapter, {
        sql: `INSERT INTO ${table} (target, sql_text, params, statements, error, at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        params: [
          entry.target,
          entry.sql,
          encodeJournalParams(entry.params),
          encodeWork(entry),
          entry.error,
          entry.at.toISOString(),
          entry.attempts,
        ],
      });
      return { ...entry, id: Number((rows as { id: unknown }[])[0]!.id) };
    },
    async entries() {
      await ensure();
      const rows = await adapter.query<Row>(
        `SELECT id, target, sql_text, params, statements, error, at, attempts FROM ${table} ORDER BY id`,
      );
      return rows.map(toEntry);
    },
    async remove(id: number) {
      await ensure();
      await executeKeepingSession(adapter, { sql: `DELETE FROM ${table} WHERE id = ?`, params: [id] });
    },
    async recordAttempt(id: number, error: string) {
      await ensure();
      await executeKeepingSession(adapter, {
        sql: `UPDATE ${table} SET attempts = attempts + 1, error = ? WHERE id = ?`,
        params: [error, id],
      });
    },
  };
}

async function createTable(adapter: DatabaseAdapter, table: string): Promise<void> {
  const id = adapter.dialect === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  await adapter.execute(
    `CREATE TABLE IF NOT EXISTS ${table} (id ${id}, target TEXT NOT NULL, sql_text TEXT NOT NULL, ` +
      'params TEXT NOT NULL, statements TEXT, error TEXT NOT NULL, at TEXT NOT NULL, attempts INTEGER NOT NULL)',
  );
}

function toEntry(row: Row): JournalEntry {
  const entry: JournalEntry = {
    id: Number(row.id),
    target: String(row.target),
    sql: String(row.sql_text),
    params: decodeJournalParams(String(row.params)),
    error: String(row.error),
    at: new Date(String(row.at)),
    attempts: Number(row.attempts),
  };
  if (typeof row.statements === 'string') {
    // The column holds either the statements to replay or, for row images, the rows to settle,
    // with the sessions to fence first when there are any.
    const parsed = JSON.parse(row.statements) as Encoded[] | { rows?: RowRef[]; statements?: Encoded[]; fence?: AbandonedSession[] };
    if (Array.isArray(parsed)) entry.statements = decodeJournalStatements(parsed);
    else {
      if (parsed.rows) entry.rows = parsed.rows;
      if (parsed.statements) entry.statements = decodeJournalStatements(parsed.statements);
      if (parsed.fence) entry.fence = parsed.fence;
    }
  }
  return entry;
}

type Encoded = { sql: string; params: unknown };

/** The `statements` column: the statements as before, or an object when it holds rows or sessions to fence. */
function encodeWork(entry: NewJournalEntry): string | null {
  const fence = entry.fence?.length ? { fence: entry.fence } : {};
  if (entry.rows) return JSON.stringify({ rows: entry.rows, ...fence });
  if (!entry.fence?.length) return entry.statements ? encodeJournalStatements(entry.statements) : null;
  return JSON.stringify({ ...(entry.statements ? { statements: storedStatements(entry.statements) } : {}), ...fence });
}
