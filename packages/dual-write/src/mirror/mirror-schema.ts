import { InvalidArgumentError, type DatabaseAdapter, type DialectName } from '@switchyard/core';

/** Ids of operations the secondary has applied: a redelivered id is recognised and skipped. */
export const APPLIED_OPS_TABLE = '_switchyard_applied_ops';
/** Per row, the sequence of the newest operation applied to it: detects out-of-order delivery. */
export const ROW_VERSIONS_TABLE = '_switchyard_row_versions';
/** Stale, repaired and dead-lettered operations, with the reason, for an operator to read. */
export const MIRROR_ERRORS_TABLE = '_switchyard_mirror_errors';

const bigint = (dialect: DialectName) => (dialect === 'postgres' ? 'BIGINT' : 'INTEGER');

/**
 * The DDL of the bookkeeping tables an operation's target (the secondary) keeps.
 *
 * @example
 * ```ts
 * for (const sql of secondaryTablesDdl('postgres')) await secondary.execute(sql);
 * ```
 */
export function secondaryTablesDdl(dialect: DialectName): string[] {
  const int = bigint(dialect);
  return [
    `CREATE TABLE IF NOT EXISTS ${APPLIED_OPS_TABLE} (id TEXT PRIMARY KEY, seq ${int} NOT NULL, applied_at ${int} NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${ROW_VERSIONS_TABLE} (table_name TEXT NOT NULL, row_key TEXT NOT NULL, ` +
      `seq ${int} NOT NULL, op_id TEXT NOT NULL, PRIMARY KEY (table_name, row_key))`,
    `CREATE TABLE IF NOT EXISTS ${MIRROR_ERRORS_TABLE} (op_id TEXT NOT NULL, kind TEXT NOT NULL, seq ${int}, ` +
      `attempts INTEGER, error TEXT, payload TEXT NOT NULL, recorded_at ${int} NOT NULL)`,
  ];
}

/**
 * The DDL of an outbox table on the primary: a sequence that orders entries, the
 * operation id, the operation as JSON, and when it was written.
 *
 * @example
 * ```ts
 * await primary.execute(outboxTableDdl('sqlite', '_switchyard_outbox'));
 * ```
 */
export function outboxTableDdl(dialect: DialectName, table: string): string {
  assertIdentifier(table);
  const seq = dialect === 'postgres' ? 'seq BIGSERIAL PRIMARY KEY' : 'seq INTEGER PRIMARY KEY AUTOINCREMENT';
  return (
    `CREATE TABLE IF NOT EXISTS ${table} (${seq}, op_id TEXT NOT NULL, ` + `payload TEXT NOT NULL, created_at ${bigint(dialect)} NOT NULL)`
  );
}

const prepared = new WeakMap<DatabaseAdapter, Promise<void>>();

/**
 * Creates the secondary's bookkeeping tables once per adapter (on demand, idempotent).
 *
 * @example
 * ```ts
 * await ensureSecondaryTables(secondary);
 * ```
 */
export function ensureSecondaryTables(secondary: DatabaseAdapter): Promise<void> {
  let done = prepared.get(secondary);
  if (!done) {
    done = (async () => {
      for (const sql of secondaryTablesDdl(secondary.dialect)) await secondary.execute(sql);
    })();
    // A failure (the database was unreachable) must not be remembered: the next call tries again.
    done.catch(() => prepared.delete(secondary));
    prepared.set(secondary, done);
  }
  return done;
}

/** Throws unless `name` is a plain identifier, since table names are written into SQL. */
export function assertIdentifier(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new InvalidArgumentError(
      `"${name}" is not a plain table name: use letters, digits and underscores, starting with a letter or underscore.`,
    );
  }
}
