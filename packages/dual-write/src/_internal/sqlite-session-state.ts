import { nativeHandle, type DatabaseAdapter, type ExecResult, type Statement } from '@switchyard/core';

/**
 * An outbox entry is an INSERT on the app's own better-sqlite3 connection, after the app's
 * write (and a table journal's entry, a drain's delete, a heartbeat may come between two
 * of the app's calls): on its own it would leave `last_insert_rowid()` naming the entry and `changes()`
 * saying 1, and an app that reads them in SQL (`INSERT …` then `SELECT last_insert_rowid()`,
 * or `VALUES (last_insert_rowid(), …)` in its next statement) would get the outbox's row.
 * The statements here put both back: the app's values are read just before the entry (or,
 * among a batch's statements, kept in a temporary table), and restored right after it by
 * inserts that set both as the app's write did (into temporary tables emptied by their own
 * triggers, whose changes SQLite does not count).
 */
const SESSION = 'temp._switchyard_session';

/** The temporary tables and triggers, made once per connection (temporary objects live as long as it). */
const DDL = [
  `CREATE TABLE IF NOT EXISTS ${SESSION} (id INTEGER PRIMARY KEY, last_rowid INTEGER NOT NULL, changed INTEGER NOT NULL)`,
  'CREATE TABLE IF NOT EXISTS temp._switchyard_rowid (x)',
  'CREATE TRIGGER IF NOT EXISTS temp._switchyard_rowid_clear AFTER INSERT ON _switchyard_rowid ' +
    'BEGIN DELETE FROM _switchyard_rowid WHERE rowid = new.rowid; END',
  // WITHOUT ROWID: inserts into it leave last_insert_rowid() as it is, and count in changes().
  'CREATE TABLE IF NOT EXISTS temp._switchyard_changes (i INTEGER PRIMARY KEY) WITHOUT ROWID',
  'CREATE TRIGGER IF NOT EXISTS temp._switchyard_changes_clear AFTER INSERT ON _switchyard_changes ' +
    'BEGIN DELETE FROM _switchyard_changes WHERE i = new.i; END',
];

/** The app's values, read by a write that runs without yielding (`transactionSync`) just before its entry. */
export const SESSION_STATE: Statement = { sql: 'SELECT last_insert_rowid(), changes()', params: [] };

// One row with the app's last rowid: last_insert_rowid() names it again, and changes() says 1.
const ROWID = 'INSERT INTO temp._switchyard_rowid (rowid) VALUES (?)';
// Rows ending at the app's last rowid, as many as its statement changed.
const ROWIDS =
  'WITH RECURSIVE sy_n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM sy_n WHERE i < ?) ' +
  'INSERT INTO temp._switchyard_rowid (rowid) SELECT ? - ? + i FROM sy_n';
// No row: changes() says 0, and last_insert_rowid() stays.
const NO_CHANGE = 'INSERT INTO temp._switchyard_changes (i) SELECT 1 WHERE 0';

/**
 * The statements, to run after the entry, that put back the values {@link SESSION_STATE}
 * read: one for a write that changed rows (a single-row write's is the cheapest), two for one that changed none.
 */
export function sessionRestored(rowid: number | bigint, changed: number): Statement[] {
  if (changed === 1) return [{ sql: ROWID, params: [rowid] }];
  if (changed > 1) return [{ sql: ROWIDS, params: [changed, rowid, changed] }];
  return [
    { sql: ROWID, params: [rowid] },
    { sql: NO_CHANGE, params: [] },
  ];
}

// The same in SQL alone, for an entry among the statements of a batch or a transaction.
const KEEP: Statement = {
  sql: `INSERT OR REPLACE INTO ${SESSION} (id, last_rowid, changed) VALUES (0, last_insert_rowid(), changes())`,
  params: [],
};
const RESTORE_ROWID: Statement = {
  sql: `INSERT INTO temp._switchyard_rowid (rowid) SELECT last_rowid FROM ${SESSION} WHERE id = 0`,
  params: [],
};
const RESTORE_CHANGES: Statement = {
  sql:
    `WITH RECURSIVE sy_n(i) AS (SELECT 1 FROM ${SESSION} WHERE id = 0 AND changed > 0 ` +
    `UNION ALL SELECT i + 1 FROM sy_n WHERE i < (SELECT changed FROM ${SESSION} WHERE id = 0)) ` +
    'INSERT INTO temp._switchyard_changes (i) SELECT i FROM sy_n',
  params: [],
};

/** Whether writes of Switchyard's own on this adapter share the connection the app reads `last_insert_rowid()` and `changes()` on. */
export function keepsSessionState(adapter: DatabaseAdapter): boolean {
  return nativeHandle(adapter, 'better-sqlite3') !== undefined;
}

/** Connections whose temporary tables exist. */
const made = new WeakSet<object>();

/** Makes the temporary tables on a better-sqlite3 adapter (once per connection); nothing elsewhere. */
export async function prepareSessionState(adapter: DatabaseAdapter): Promise<void> {
  const native = nativeHandle(adapter, 'better-sqlite3');
  if (!native || made.has(native.database)) return;
  for (const sql of DDL) await adapter.execute(sql);
  made.add(native.database);
}

/**
 * A statement of Switchyard's own with the app's `last_insert_rowid()` and `changes()`
 * kept around it, where {@link keepsSessionState}; the statement alone elsewhere.
 */
export function keepingSession(keeps: boolean, statement: Statement): Statement[] {
  return keeps ? [KEEP, statement, RESTORE_ROWID, RESTORE_CHANGES] : [statement];
}

/**
 * Runs a write of Switchyard's own (a journal entry, a drain's delete, a heartbeat) that
 * may share the app's connection, and returns its result: on better-sqlite3 in one batch
 * with what keeps the app's `last_insert_rowid()` and `changes()`, elsewhere as it is.
 */
export async function executeKeepingSession(adapter: DatabaseAdapter, statement: Statement): Promise<ExecResult> {
  if (!keepsSessionState(adapter)) return adapter.execute(statement.sql, statement.params ?? []);
  await prepareSessionState(adapter);
  const results = await adapter.batch(keepingSession(true, statement));
  return results[1]!;
}
