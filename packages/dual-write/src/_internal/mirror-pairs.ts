import type { DatabaseAdapter, TableInfo } from '@switchyard/core';
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
 * {@link ASK_AGAIN_MS}. A secondary that answered without the table still fails the write.
 */
export async function mirrorTables(
  parts: ReplicatorParts,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  names: readonly string[],
  via: DatabaseAdapter = primary,
): Promise<MirrorTables> {
  const tables = [...new Set(names)];
  const sources = await primaryTables(parts.catalog, primary, tables, via);
  const cached = parts.settler.pairsNow(primary, secondary, tables);
  if (cached) return { pairs: cached };
  if ((unanswered.get(secondary) ?? 0) > Date.now()) return { sources: (name) => sources.get(name)! };
  const read = Promise.all(tables.map((name) => parts.catalog.table(secondary, name)));
  const targets = await secondaryAnswer(parts, read, secondary);
  if (targets instanceof Error) {
    unanswered.set(secondary, Date.now() + ASK_AGAIN_MS);
    return { sources: (name) => sources.get(name)! };
  }
  const missing = tables.find((_, i) => !targets[i]);
  if (missing !== undefined) throw noTable(secondary, missing);
  return { pairs: (name) => ({ source: sources.get(name)!, target: targets[tables.indexOf(name)]! }) };
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
