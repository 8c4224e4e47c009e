import { statementKind, type DatabaseAdapter, type Statement, type TableInfo } from '@switchyard/core';
import { noTable } from './row-settle';
import type { ReplicatorParts } from './replication-types';
import type { TablePair } from './row-images';
import { secondaryAnswer } from './table-pairs';
import type { TableCatalog } from './table-catalog';

/**
 * Until when (ms since the epoch) a write does not ask a secondary that failed to say what
 * its tables are: while it is down, each write would wait for it again.
 */
const unanswered = new WeakMap<DatabaseAdapter, number>();
/** How long a secondary that did not answer is not asked again. */
const ASK_AGAIN_MS = 5_000;

/** What a queue message's rows are built with: both sides' tables, or the primary's alone. */
export type MirrorTables = { pairs: (table: string) => TablePair } | { sources: (table: string) => TableInfo };

/**
 * The tables a write to a queue mirror builds its message with. A queue message carries the
 * secondary's statements, so the secondary's tables are read first (once per process). When
 * the secondary does not answer within `secondaryTimeoutMs` (down, or hung, as when an app
 * or a Worker isolate starts during an outage), the write goes on without it: the message
 * carries the rows with the primary's columns instead, for a consumer given the primary to
 * turn into statements, as an outbox drain does. An asynchronous secondary never fails or
 * stalls the app's write: after a secondary did not answer, writes do not ask it for
 * {@link ASK_AGAIN_MS}. A secondary that answers without the table gets the rows with the
 * primary's columns too: the definition that makes it may be in the queue still (the app's
 * migration ran a moment ago, and the consumer has not applied it yet).
 */
export async function mirrorTables(
  parts: ReplicatorParts,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  names: readonly string[],
  via: DatabaseAdapter = primary,
  definitions = false,
): Promise<MirrorTables> {
  const tables = [...new Set(names)];
  const sources = await primaryTables(parts.catalog, primary, tables, via);
  // The write's own definitions change the secondary's tables before its rows land there.
  if (definitions) return { sources: (name) => sources.get(name)! };
  const cached = parts.settler.pairsNow(primary, secondary, tables);
  if (cached) return { pairs: cached };
  if ((unanswered.get(secondary) ?? 0) > Date.now()) return { sources: (name) => sources.get(name)! };
  const read = Promise.all(tables.map((name) => parts.catalog.table(secondary, name)));
  const targets = await secondaryAnswer(parts, read, secondary);
  if (targets instanceof Error) {
    unanswered.set(secondary, Date.now() + ASK_AGAIN_MS);
    return { sources: (name) => sources.get(name)! };
  }
  if (targets.some((t) => !t)) return { sources: (name) => sources.get(name)! };
  return { pairs: (name) => ({ source: sources.get(name)!, target: targets[tables.indexOf(name)]! }) };
}

/**
 * Whether statements change tables. A mirror then sends them in an operation of their own,
 * and the rows of the same write after them, with the primary's columns: those are built
 * for the secondary's tables once the definitions ran there (by the drain or the consumer,
 * which builds an operation's rows before it applies its statements).
 */
export function definesTables(statements: readonly Statement[]): boolean {
  return statements.some((s) => statementKind(s.sql) === 'schema');
}

/** The primary's definition of each of `names`, read through `via` (a transaction's adapter); a write to one it lacks fails. */
export async function primaryTables(
  catalog: TableCatalog,
  primary: DatabaseAdapter,
  names: Iterable<string>,
  via: DatabaseAdapter = primary,
): Promise<Map<string, TableInfo>> {
  const tables = new Map<string, TableInfo>();
  for (const name of names) {
    if (tables.has(name)) continue;
    const info = await catalog.table(primary, name, via);
    if (!info) throw noTable(primary, name);
    tables.set(name, info);
  }
  return tables;
}
