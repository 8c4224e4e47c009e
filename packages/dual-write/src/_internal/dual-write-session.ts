import type { CompiledQuery } from 'kysely';
import {
  type DatabaseAdapter,
  type DialectName,
  type ExecResult,
  type Row,
  type Statement,
  type StreamOptions,
  type TransactionSettings,
} from '@switchyard/core';
import { AdapterView } from './adapter-view';
import type { DualWriteCore } from './dual-write-core';
import { compileFor } from './write-op';
import { dualWriteKind } from './primary-only';

/** What a session needs of the dual-write adapter: its write path and its compiled-query runner. */
export interface SessionOwner extends DatabaseAdapter {
  executeCompiled(compiled: CompiledQuery, target: DatabaseAdapter): Promise<ExecResult & { rows: unknown[] }>;
}

/**
 * One session of a dual-write adapter whose primary has sessions of its own (Postgres):
 * reads run on one pinned primary connection, so session state and session locks
 * (Kysely's Migrator lock) hold from one statement to the next; writes and transactions
 * take the dual-write path and reach both sides.
 */
export class DualWriteSession<DB = any> extends AdapterView<DB> implements DatabaseAdapter<DB> {
  readonly #owner: SessionOwner;
  readonly #session: DatabaseAdapter;

  constructor(owner: SessionOwner, session: DatabaseAdapter) {
    super(owner);
    this.#owner = owner;
    this.#session = session;
  }

  query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return dualWriteKind(sql) === 'read' ? this.#session.query<T>(sql, params) : this.#owner.query<T>(sql, params);
  }

  execute(sql: string, params: readonly unknown[] = []): Promise<ExecResult> {
    return dualWriteKind(sql) === 'read' ? this.#session.execute(sql, params) : this.#owner.execute(sql, params);
  }

  batch(statements: readonly Statement[]): Promise<ExecResult[]> {
    return this.#owner.batch(statements);
  }

  transaction<T>(fn: (tx: DatabaseAdapter<DB>) => Promise<T>, settings?: TransactionSettings): Promise<T> {
    return this.#owner.transaction(fn, settings);
  }

  connection<T>(fn: (session: DatabaseAdapter<DB>) => Promise<T>): Promise<T> {
    return fn(this);
  }

  /** A read streams on the pinned primary connection; a write takes the dual-write path. */
  stream<T = Row>(sql: string, params?: readonly unknown[], options?: StreamOptions): AsyncIterableIterator<T[]> {
    const reader = dualWriteKind(sql) === 'read' ? this.#session : this.#owner;
    if (!reader.stream) throw new Error('unreachable: a session adapter without stream()');
    return reader.stream<T>(sql, params, options);
  }

  /** The session ends with its `connection()` callback; the adapter stays open. */
  async close(): Promise<void> {}

  /** A builder query: reads on the pinned primary connection, writes through both sides. */
  async runCompiled(compiled: CompiledQuery, compiledFor: DialectName): Promise<ExecResult & { rows: unknown[] }> {
    const own = compileFor(this.#session, compiled, compiledFor);
    if (dualWriteKind(own.sql) !== 'read') return this.#owner.executeCompiled(compiled, this.#owner);
    return { rows: await this.#session.query<Row>(own.sql, own.params), rowsAffected: 0 };
  }
}

/**
 * The adapter's `connection(fn)`: on a Postgres primary, a session pinned to one primary
 * connection; on SQLite and D1, whose one connection is the session, `fn` on the adapter
 * itself, one session at a time.
 */
export function runConnection<T, DB>(
  core: DualWriteCore,
  owner: SessionOwner & DatabaseAdapter<DB>,
  fn: (session: DatabaseAdapter<DB>) => Promise<T>,
): Promise<T> {
  const primary = core.primary;
  if (primary.dialect === 'postgres' && primary.connection) {
    return primary.connection((session) => fn(new DualWriteSession<DB>(owner, session)));
  }
  const run = core.sessions.then(() => fn(owner));
  core.sessions = run.catch(() => undefined);
  return run;
}
