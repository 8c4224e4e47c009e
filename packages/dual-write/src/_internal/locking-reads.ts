import { statementKind, withoutLeadingComments, type StatementKind } from '@switchyard/core';

const LOCKING_CLAUSE = /\bFOR\s+(?:UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b/gi;

/**
 * A locking read: `SELECT … FOR UPDATE` (or `FOR SHARE`, `FOR NO KEY UPDATE`, `FOR KEY
 * SHARE`), as a job queue takes its next job with `… FOR UPDATE SKIP LOCKED`. Core counts it
 * as a write, so that it never runs on a read replica; it writes no rows, so dual write runs
 * it on the primary alone, where its locks mean something, and replicates nothing of it (a
 * SQLite or D1 secondary could not even parse it).
 *
 * @example
 * ```ts
 * isLockingRead('SELECT id FROM jobs WHERE NOT done LIMIT 1 FOR UPDATE SKIP LOCKED'); // true
 * isLockingRead('WITH j AS (SELECT id FROM jobs LIMIT 1 FOR UPDATE) UPDATE jobs SET done = true FROM j WHERE jobs.id = j.id'); // false
 * ```
 */
export function isLockingRead(sql: string): boolean {
  const body = withoutLeadingComments(sql);
  const word = /^[A-Za-z]+/.exec(body)?.[0]?.toUpperCase();
  if (word !== 'SELECT' && word !== 'WITH' && word !== 'VALUES' && word !== 'TABLE') return false;
  const unlocked = body.replace(LOCKING_CLAUSE, '');
  if (unlocked === body) return false;
  return word !== 'WITH' || !/\b(?:INSERT|UPDATE|DELETE|MERGE)\b/i.test(unlocked);
}

/** Core's `statementKind`, with a locking read a read (see {@link isLockingRead}). */
export function dualWriteKind(sql: string): StatementKind {
  const kind = statementKind(sql);
  return kind === 'write' && isLockingRead(sql) ? 'read' : kind;
}

/** Whether dual write sends `sql` to both sides: a write or a schema change, not a locking read. */
export function writesToBoth(sql: string): boolean {
  const kind = dualWriteKind(sql);
  return kind === 'write' || kind === 'schema';
}
