import { nativeHandle, type DatabaseAdapter } from '@switchyard/core';

/** Each better-sqlite3 connection's own busy_timeout, kept while it serves as a secondary. */
const own = new WeakMap<object, number>();

/**
 * better-sqlite3 waits for another connection's lock inside the call (SQLite's busy handler
 * sleeps on the thread), so no timer can end the wait: a SQLite secondary that another
 * process holds locked (another instance's write, a maintenance script) would stall the
 * whole process for up to the connection's busy_timeout (5 s by default) on a write,
 * whatever `secondaryTimeoutMs` says. As a synchronous secondary its busy_timeout is cut
 * to `secondaryTimeoutMs`, after which SQLITE_BUSY is an outage like a timeout (the circuit
 * opens, writes are journaled until a probe finds the side answering); made primary again,
 * it gets its own busy_timeout back.
 */
export function fitBusyWait(primary: DatabaseAdapter, secondary: DatabaseAdapter, timeoutMs: number): void {
  const back = nativeHandle(primary, 'better-sqlite3')?.database;
  const kept = back && own.get(back);
  if (back && kept !== undefined) {
    back.pragma(`busy_timeout = ${kept}`);
    own.delete(back);
  }
  const db = nativeHandle(secondary, 'better-sqlite3')?.database;
  if (!db || own.has(db) || !Number.isFinite(timeoutMs) || !db.open) return;
  const current = Number(db.pragma('busy_timeout', { simple: true }));
  own.set(db, current);
  db.pragma(`busy_timeout = ${Math.min(current, Math.max(1, Math.ceil(timeoutMs)))}`);
}
