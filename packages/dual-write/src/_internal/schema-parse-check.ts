import type { DatabaseAdapter } from '@switchyard/core';
import { dualWriteKind } from './primary-only';
import type { SideStatement } from './replication-types';
import type { SecondaryCircuit } from './secondary-circuit';
import { within } from './time-allowance';
import { cannotRunSchemaChange, UNPARSABLE } from './statement-preflight';

/** What the check needs of the dual-write core: whether the secondary answers, is up to date, and how long to wait for it. */
export interface ParseCheckParts {
  circuit: SecondaryCircuit;
  book: { pendingFor(side: DatabaseAdapter): number };
  options: { secondaryTimeoutMs: number; secondaryWrites: 'sync' | 'async' };
}

/** Thrown inside the trial transaction so that it rolls back: nothing of it is kept. */
const ROLL_BACK = Symbol('roll back');
const TAG = '$switchyard_parse$';

/**
 * Definitions that cost little to run and roll back: a new table (not one filled by a
 * query), a view, a type, a domain, a sequence, and an `ALTER TABLE` of one `ADD COLUMN`
 * (no comma) whose default calls nothing (a volatile default would rewrite the table).
 */
const CHEAP =
  /^(?:CREATE\s+(?:UNLOGGED\s+)?TABLE\b(?![\s\S]*\bAS\s+\(?\s*(?:SELECT|VALUES|TABLE|WITH|EXECUTE)\b)|CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\b|CREATE\s+(?:TYPE|DOMAIN|SEQUENCE)\b|ALTER\s+TABLE\b(?![^;]*,)[^;]*?\bADD\s+(?:COLUMN\s+)?(?!CONSTRAINT\b|PRIMARY\b|UNIQUE\b|FOREIGN\b|CHECK\b|EXCLUDE\b)(?![^,;]*\bDEFAULT\b[^,;]*\())/i;

/** Whether `sql` is a definition {@link CHEAP} to run and roll back on the secondary, to ask it. */
export function costsLittle(sql: string): boolean {
  return CHEAP.test(sql.trim());
}

/**
 * What Postgres says of a definition whatever its tables hold: a syntax error, a type or
 * function it lacks (SQLite's `DATETIME`, `group_concat`), a default of the wrong type
 * (`BOOLEAN DEFAULT 0`), a definition or feature it refuses. A missing or existing table
 * is left out: the app may be creating it on each side itself.
 */
const REFUSED = new Set(['42601', '42704', '42804', '42883', '42611', '42P16', '0A000', '42846', '22P02']);

/**
 * Refuses, before the primary runs it, a schema change the secondary cannot run: a SQLite
 * app's `CREATE TABLE … AUTOINCREMENT`, backquoted names, `CREATE VIEW IF NOT EXISTS`,
 * `WITHOUT ROWID`, a trigger's `BEGIN … END`, a `DATETIME` column, sent to Postgres; a
 * Postgres `'{}'::jsonb` default or `TRUNCATE a, b` sent to D1. Replayed there after the
 * primary ran it, such a statement failed, and every later write waited behind it in the
 * journal. A better-sqlite3 secondary is asked by `preflight`, without a round trip.
 *
 * A Postgres secondary parses the text without running it, as the body of a SQL function
 * made in a transaction that is rolled back (`check_function_bodies`; nothing the body
 * names is locked). Only a syntax error refuses then: a table or type the statement names
 * may yet come from a write still on its way. When the secondary is up to date (synchronous,
 * its journal empty), a {@link CHEAP} definition is also run in that transaction, and a
 * type, function or default it refuses ({@link REFUSED}) refuses the write. D1 compiles it
 * under `EXPLAIN`, which runs nothing. A secondary whose circuit is open, or that does not
 * answer within `secondaryTimeoutMs`, is not waited for.
 */
export async function refuseUnrunnableSchema(
  parts: ParseCheckParts,
  side: DatabaseAdapter,
  statements: readonly SideStatement[],
): Promise<void> {
  if (side.dialect === 'sqlite' || parts.circuit.isOpen(side)) return;
  for (const { sql, params, idle, translation } of statements) {
    if (idle || translation || params?.length || dualWriteKind(sql) !== 'schema') continue;
    const refusal = side.dialect === 'postgres' ? await askPostgres(parts, side, sql) : await askD1(parts, side, sql);
    if (refusal) throw cannotRunSchemaChange(side, firstLine(refusal.message, side.name), sql, refusal);
  }
}

async function askPostgres(parts: ParseCheckParts, side: DatabaseAdapter, sql: string): Promise<Error | undefined> {
  if (!side.capabilities.transactions || sql.includes(TAG)) return undefined;
  const run = parts.options.secondaryWrites === 'sync' && parts.book.pendingFor(side) === 0 && costsLittle(sql);
  const trial = side.transaction(async (tx) => {
    await tx.execute('SET LOCAL check_function_bodies = on');
    await tx.execute(`CREATE FUNCTION pg_temp.switchyard_parse() RETURNS void LANGUAGE sql AS ${TAG}${sql}${TAG}`);
    if (run) {
      await tx.execute(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(parts.options.secondaryTimeoutMs))}`);
      await tx.execute(sql);
    }
    throw ROLL_BACK;
  });
  return within(trial, parts.options.secondaryTimeoutMs, side, 1).then(
    () => undefined,
    (error: unknown) => (error !== ROLL_BACK ? refusedBy(error, run) : undefined),
  );
}

async function askD1(parts: ParseCheckParts, side: DatabaseAdapter, sql: string): Promise<Error | undefined> {
  // One statement only: D1 is not asked to compile a text whose later statements it might run.
  if (sql.trim().replace(/;\s*$/, '').includes(';')) return undefined;
  return within(side.query(`EXPLAIN ${sql}`), parts.options.secondaryTimeoutMs, side, 1).then(
    () => undefined,
    (error: unknown) =>
      error instanceof Error && UNPARSABLE.test(error.message) && !/near "EXPLAIN"/i.test(error.message) ? error : undefined,
  );
}

/** The error when it refuses the statement: a syntax error, or one of {@link REFUSED} from running it. */
function refusedBy(error: unknown, ran: boolean): Error | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === '42601' || (ran && typeof code === 'string' && REFUSED.has(code))) return error as Error;
  }
  return undefined;
}

/** The driver's words: the first line, without the adapter's name before them or the SQLSTATE after. */
function firstLine(message: string, name: string): string {
  const line = message.split('\n')[0]!.replace(/\s*\(SQLSTATE \w+\)\s*$/, '');
  return line.startsWith(`${name}: `) ? line.slice(name.length + 2) : line;
}
