import {
  checkStatementLimits,
  encodeParams,
  UnsupportedError,
  withoutLeadingComments,
  type DatabaseAdapter,
  type Statement,
} from '@switchyard/core';
import { dualWriteKind } from './primary-only';
import type { SideStatement } from './replication-types';

/**
 * Checks statements against a side's parameter and size limits. Reads are checked
 * against the secondary too, although only one side runs them: an app that keeps
 * within both sides' limits keeps working after `switchPrimary()`.
 */
export function checkLimits(side: DatabaseAdapter, statements: readonly Statement[]): void {
  let subject = subjects.get(side);
  if (!subject) {
    subject = { label: `${side.name} (one of the dual-write sides)`, dialect: side.dialect, capabilities: side.capabilities };
    subjects.set(side, subject);
  }
  for (const { sql, params = [] } of statements) checkStatementLimits(subject, sql, params.length);
}

/** What a side's limit errors name, made once per side: every write is checked. */
const subjects = new WeakMap<DatabaseAdapter, Parameters<typeof checkStatementLimits>[0]>();

/**
 * Checks write statements against the secondary's limits and value encoding before the
 * primary runs them: a value the secondary cannot store (NaN on SQLite, a bigint
 * beyond 2^53 on D1) or a statement over its parameter or size limit is refused with
 * the secondary's typed error while nothing has been written anywhere, instead of
 * being accepted by the primary and failing on one side only. So is a statement the
 * secondary cannot run, or whose rows would reach one side alone (see {@link refuseOneSided}).
 */
export function preflight(side: DatabaseAdapter, statements: readonly SideStatement[]): void {
  refuseOneSided(side, statements);
  checkLimits(side, statements);
  for (const { sql, params = [] } of statements) encodeParams(params, side.dialect, side.capabilities, sql);
}

/** Procedural code, a call, and statements prepared by name: Postgres's alone. */
const POSTGRES_PROCEDURAL = /^(DO|CALL|PREPARE|EXECUTE|DEALLOCATE)\b/i;

/**
 * What SQLite says of text it cannot take whatever its tables hold, as opposed to a table
 * or column it lacks, which an earlier statement or a lagging secondary may yet create.
 */
export const UNPARSABLE =
  /syntax error|incomplete input|unrecognized token|Cannot add a (?:UNIQUE|PRIMARY KEY) column|non-constant default/i;

/**
 * Refuses, before the primary runs anything, a write whose rows would reach one side alone:
 * `EXPLAIN ANALYZE` of a write (Postgres runs the statement it explains; the rows were
 * never seen as written), and, to a SQLite or D1 side, Postgres procedural code (`DO`,
 * `CALL`) or a statement prepared by name, which that side cannot run. Refuses a schema
 * change a better-sqlite3 secondary cannot parse (compiled there, not run: `ALTER COLUMN`,
 * `ADD CONSTRAINT`, `CREATE TYPE`, several tables in one `TRUNCATE`). Replayed after the
 * primary ran it, each failed there and held every later write back in the journal.
 */
export function refuseOneSided(side: DatabaseAdapter, statements: readonly SideStatement[]): void {
  for (const { sql, idle, translation } of statements) {
    if (idle || translation) continue;
    const kind = dualWriteKind(sql);
    if (kind === 'write' && /^\s*[CDEP/-]/i.test(sql)) refuseUnreplicable(side, sql);
    else if (kind === 'schema') refuseUnparsable(side, sql);
  }
}

function refuseUnreplicable(side: DatabaseAdapter, sql: string): void {
  const body = withoutLeadingComments(sql);
  // Core counts an EXPLAIN that runs a write as a write; any other EXPLAIN reads.
  if (/^EXPLAIN\b/i.test(body)) {
    throw new UnsupportedError(
      'EXPLAIN ANALYZE runs the statement it explains, and through the dual-write adapter its rows would be written ' +
        'on the primary alone. Nothing was written. Explain it without ANALYZE, or run it on one side’s own adapter ' +
        'inside a transaction you roll back.',
      { sql },
    );
  }
  const word = side.dialect === 'postgres' ? undefined : POSTGRES_PROCEDURAL.exec(body)?.[1]?.toUpperCase();
  if (word) {
    throw new UnsupportedError(
      `"${word}" is Postgres's alone: ${side.name} (${side.dialect}, the secondary) cannot run it, and the rows it ` +
        'writes cannot be captured. Nothing was written. Send the statements it runs through the adapter one by one ' +
        '(their rows are then replicated), or run it on each side with its own adapter.',
      { sql },
    );
  }
}

function refuseUnparsable(side: DatabaseAdapter, sql: string): void {
  const native = side.native;
  if (native?.kind !== 'better-sqlite3' || !native.database.open) return;
  let message: string;
  try {
    native.database.prepare(sql);
    return;
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
  }
  if (UNPARSABLE.test(message)) throw cannotRunSchemaChange(side, message, sql);
}

/** The refusal of a schema change the secondary cannot run, in the secondary's own words (`reason`). */
export function cannotRunSchemaChange(side: DatabaseAdapter, reason: string, sql: string, cause?: unknown): UnsupportedError {
  return new UnsupportedError(
    `${side.name} (${side.dialect}, the secondary) cannot run this schema change: ${reason}. Nothing was written. ` +
      'Apply it to each side through its own adapter, in each engine’s words, or send a form both engines take.' +
      (side.dialect === 'postgres'
        ? ' From a SQLite or D1 primary, pass `translateSchema` from @switchyard/copy as a dual-write option: a CREATE TABLE, CREATE INDEX or ADD COLUMN then reaches Postgres translated.'
        : ' From a Postgres primary, the dual-write option `translateSchema` (from @switchyard/copy) makes a CREATE TABLE, CREATE INDEX, ADD COLUMN, ALTER COLUMN or ADD CONSTRAINT reach SQLite translated; other changes, and several of a kind SQLite alters with one of another, are applied to each side.'),
    { sql, cause },
  );
}
