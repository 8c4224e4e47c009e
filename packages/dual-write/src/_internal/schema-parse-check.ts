import { UnsupportedError, type DatabaseAdapter } from '@switchyard/core';
import { dualWriteKind } from './primary-only';
import type { SideStatement } from './replication-types';
import type { SecondaryCircuit } from './secondary-circuit';
import { within } from './time-allowance';

/** What the check needs of the dual-write core: whether the secondary answers, and how long to wait for it. */
export interface ParseCheckParts {
  circuit: SecondaryCircuit;
  options: { secondaryTimeoutMs: number };
}

/** Thrown inside the trial transaction so that it rolls back: nothing of it is kept. */
const ROLL_BACK = Symbol('roll back');
const TAG = '$switchyard_parse$';

/**
 * Refuses, before the primary runs it, a schema change a Postgres secondary cannot parse:
 * a SQLite app's `CREATE TABLE … AUTOINCREMENT`, backquoted names, `CREATE VIEW IF NOT
 * EXISTS`, `WITHOUT ROWID`, a trigger's `BEGIN … END`. Replayed there after the primary
 * ran it, such a statement failed, and every later write waited behind it in the journal.
 *
 * Postgres is asked to parse the text without running it: as the body of a SQL function
 * made in a transaction that is rolled back (`check_function_bodies` parses a body when the
 * function is made, and locks nothing the body names). Only a syntax error refuses: a
 * table or type the statement names may yet come from a write still on its way (the
 * journal, an outbox). A secondary whose circuit is open, or that does not answer within
 * `secondaryTimeoutMs`, is not waited for; the statement then goes as before.
 */
export async function refuseUnparsableOnPostgres(
  parts: ParseCheckParts,
  side: DatabaseAdapter,
  statements: readonly SideStatement[],
): Promise<void> {
  if (side.dialect !== 'postgres' || !side.capabilities.transactions || parts.circuit.isOpen(side)) return;
  for (const { sql, params, idle } of statements) {
    if (idle || params?.length || sql.includes(TAG) || dualWriteKind(sql) !== 'schema') continue;
    const trial = side.transaction(async (tx) => {
      await tx.execute('SET LOCAL check_function_bodies = on');
      await tx.execute(`CREATE FUNCTION pg_temp.switchyard_parse() RETURNS void LANGUAGE sql AS ${TAG}${sql}${TAG}`);
      throw ROLL_BACK;
    });
    const refusal = await within(trial, parts.options.secondaryTimeoutMs, side, 1).then(
      () => undefined,
      (error: unknown) => (error !== ROLL_BACK && isSyntaxError(error) ? error : undefined),
    );
    if (refusal) {
      throw new UnsupportedError(
        `${side.name} (postgres, the secondary) cannot run this schema change: ${firstLine(refusal.message, side.name)}. Nothing was ` +
          'written. Apply it to each side through its own adapter, in each engine’s words, or send a form both engines take.',
        { sql, cause: refusal },
      );
    }
  }
}

/** Postgres's `syntax_error` (42601), on the error or the driver error it wraps. */
function isSyntaxError(error: unknown): error is Error {
  for (let e = error; e instanceof Error; e = e.cause) if ((e as { code?: unknown }).code === '42601') return true;
  return false;
}

/** The driver's words: the first line, without the adapter's name before them or the SQLSTATE after. */
function firstLine(message: string, name: string): string {
  const line = message.split('\n')[0]!.replace(/\s*\(SQLSTATE \w+\)\s*$/, '');
  return line.startsWith(`${name}: `) ? line.slice(name.length + 2) : line;
}
