import { selectInto, statementKind, withoutLeadingComments, type StatementKind } from '@switchyard/core';
import type { Step } from './replication-types';
import { BoundedCache } from './bounded-cache';
import { NOTHING_ON_SQLITE } from './engine-counterparts';
import { EXCLUDED_TABLE } from './excluded-tables';

const LOCKING_CLAUSE = /\bFOR\s+(?:UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b/gi;

/**
 * Statements about the primary's own session, locks or files, which write no rows: a
 * setting (Postgres `SET`, `RESET`, `DISCARD`; a SQLite `PRAGMA name = value`, such as the
 * `PRAGMA foreign_keys = ON` apps send when they connect), a lock (`LOCK TABLE`), a
 * notification (`NOTIFY`, `LISTEN`, `UNLISTEN`), maintenance (`VACUUM`, `ANALYZE`,
 * `REINDEX`, `CHECKPOINT`, `CLUSTER`), a SQLite connection's other database files (`ATTACH`,
 * `DETACH`). A `CREATE TEMP TABLE` is the session's too.
 */
const SESSION_WORDS = new Set([
  'SET',
  'RESET',
  'DISCARD',
  'LOCK',
  'NOTIFY',
  'LISTEN',
  'UNLISTEN',
  'PRAGMA',
  'VACUUM',
  'ANALYZE',
  'REINDEX',
  'CHECKPOINT',
  'CLUSTER',
  'ATTACH',
  'DETACH',
]);

/**
 * A locking read: `SELECT … FOR UPDATE` (or `FOR SHARE`, `FOR NO KEY UPDATE`, `FOR KEY
 * SHARE`), as a job queue takes its next job with `… FOR UPDATE SKIP LOCKED`. Core counts it
 * as a write, so that it never runs on a read replica; it writes no rows. `body` is the
 * statement without its leading comments.
 *
 * @example
 * ```ts
 * isLockingRead('SELECT id FROM jobs WHERE NOT done LIMIT 1 FOR UPDATE SKIP LOCKED'); // true
 * isLockingRead('WITH j AS (SELECT id FROM jobs LIMIT 1 FOR UPDATE) UPDATE jobs SET done = true FROM j WHERE jobs.id = j.id'); // false
 * ```
 */
function isLockingRead(body: string): boolean {
  const word = firstWord(body);
  if (word !== 'SELECT' && word !== 'WITH' && word !== 'VALUES' && word !== 'TABLE') return false;
  // Core tells a locking clause from one a string or a comment holds: a read it calls a read locks nothing.
  if (statementKind(body) !== 'write') return false;
  const unlocked = body.replace(LOCKING_CLAUSE, '');
  if (unlocked === body) return false;
  return word !== 'WITH' || !/\b(?:INSERT|UPDATE|DELETE|MERGE)\b/i.test(unlocked);
}

/**
 * Whether dual write runs `sql` on the primary alone and replicates nothing of it: a locking
 * read, or a statement of the primary's session, locks or files (see {@link SESSION_WORDS}).
 * Replayed on the secondary such a statement meant nothing there (another connection), and
 * on another engine it failed (`near "SET"`, `syntax error at or near "PRAGMA"`), holding
 * every later write back in the journal.
 */
export function runsOnPrimaryAlone(sql: string): boolean {
  const body = withoutLeadingComments(sql);
  // `SET CONSTRAINTS`, `SET TRANSACTION` and `SET LOCAL` are the primary transaction's too.
  const word = firstWord(body);
  return (
    SESSION_WORDS.has(word) ||
    TEMPORARY.test(body) ||
    isLockingRead(body) ||
    ((word === 'SELECT' || word === 'WITH') && /\bINTO\s+TEMP/i.test(body) && selectInto(body)?.temporary === true)
  );
}

/** A temporary table, view or sequence: the primary session's own (an import's staging table; `SELECT … INTO TEMP` too). */
const TEMPORARY = /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?TEMP(?:ORARY)?\s/i;

/** Why a step of a write gives the secondary nothing: a read in a batch. */
export const READ_IN_BATCH = 'a read inside a batch';
/** Why a step of a write gives the secondary nothing: its table is a temporary table of the primary's session. */
export const TEMPORARY_TABLE = "a write to a temporary table of the primary's session";

/**
 * Whether a step of a write runs on the primary alone (see {@link READ_IN_BATCH},
 * {@link TEMPORARY_TABLE}, {@link NOTHING_ON_SQLITE}, {@link EXCLUDED_TABLE}).
 */
export function replicatesNothing(step: Step): boolean {
  return step.kind === 'replay' && NOTHING_TO_SEND.has(step.reason);
}

const NOTHING_TO_SEND = new Set([READ_IN_BATCH, TEMPORARY_TABLE, NOTHING_ON_SQLITE, EXCLUDED_TABLE]);

/** Each text's kind is kept: every write asks, and apps send the same few texts again and again. */
const kinds = new BoundedCache<string, StatementKind>(2000);

/** Core's `statementKind`, with what runs on the primary alone a read (see {@link runsOnPrimaryAlone}). */
export function dualWriteKind(sql: string): StatementKind {
  let kind = kinds.get(sql);
  if (kind === undefined) {
    kind = statementKind(sql);
    if ((kind === 'write' || kind === 'schema') && runsOnPrimaryAlone(sql)) kind = 'read';
    kinds.set(sql, kind);
  }
  return kind;
}

/** Whether dual write sends `sql` to both sides: a write or a schema change that is not the primary's alone. */
export function writesToBoth(sql: string): boolean {
  const kind = dualWriteKind(sql);
  return kind === 'write' || kind === 'schema';
}

function firstWord(body: string): string {
  return /^[A-Za-z]+/.exec(body)?.[0]?.toUpperCase() ?? '';
}
