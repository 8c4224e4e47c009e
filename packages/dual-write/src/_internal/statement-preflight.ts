import { checkStatementLimits, encodeParams, type DatabaseAdapter, type Statement } from '@switchyard/core';

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
 * being accepted by the primary and failing on one side only.
 */
export function preflight(side: DatabaseAdapter, statements: readonly Statement[]): void {
  checkLimits(side, statements);
  for (const { sql, params = [] } of statements) encodeParams(params, side.dialect, side.capabilities, sql);
}
