import type { DatabaseAdapter } from '@switchyard/core';
import { literalPattern } from './literal-pattern';

/**
 * The app's own functions on a Postgres primary that may write: volatile (Postgres's
 * default), in the app's schemas, and not part of an extension (`gen_random_uuid` writes
 * nothing). A read that calls one (`SELECT create_order(?)`) runs on the primary alone:
 * routed to the secondary, or shadowed there, it wrote rows the primary never had.
 */
const CATALOG = `SELECT DISTINCT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind = 'f' AND p.provolatile = 'v' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
AND n.nspname NOT LIKE 'pg\\_%' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')`;

/**
 * Which of a Postgres primary's functions a read calls that may write, read from the
 * catalog once, and again after a schema change ({@link forget}) or a switch.
 */
export class WritingFunctions {
  #of: DatabaseAdapter | undefined;
  #calls: Promise<RegExp | undefined> | undefined;

  /** A pattern that finds a call of one of `primary`'s writing functions; `undefined` when it has none or is not Postgres. */
  calls(primary: DatabaseAdapter): Promise<RegExp | undefined> {
    if (primary.dialect !== 'postgres') return Promise.resolve(undefined);
    if (this.#of !== primary || !this.#calls) {
      this.#of = primary;
      this.#calls = callsOf(primary);
    }
    return this.#calls;
  }

  /** Reads the catalog again at the next read (a function may have been made or dropped). */
  forget(): void {
    this.#calls = undefined;
  }
}

async function callsOf(primary: DatabaseAdapter): Promise<RegExp | undefined> {
  let names: string[];
  try {
    names = (await primary.query<{ name: string }>(CATALOG)).map((r) => r.name);
  } catch {
    // A catalog the role cannot read: reads are routed as before.
    return undefined;
  }
  if (names.length === 0) return undefined;
  const alternatives = literalPattern(...names);
  // Matched in the raw text (a name in a string too): that costs a routed read, never a wrong answer.
  return new RegExp(`(?:^|[^\\w$])"?(?:${alternatives})"?\\s*\\(`, 'i');
}
