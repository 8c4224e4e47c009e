import { InvalidArgumentError, advanceKeyGenerators, readKeyGenerators, type DatabaseAdapter } from '@switchyard/core';

/** Options of {@link alignSequences}. */
export interface AlignSequencesOptions {
  /** Tables to align; default: every table of the target with a generated key. */
  tables?: string[];
}

/** What {@link alignSequences} did for one table. */
export interface AlignedSequence {
  table: string;
  column: string;
  /** The value the target's next generated key will exceed. */
  value: string;
  /** Where the source's generator stood: the highest key it handed out or holds. */
  source: string;
}

/**
 * Moves the target's key generators (Postgres serial/identity sequences, SQLite and D1
 * `AUTOINCREMENT` counters) past where the source's stand, so both engines hand out the
 * same next id. The source's position is its generator's, not only `max(id)`: a Postgres
 * sequence that skipped values on rolled-back inserts, or a counter above deleted rows,
 * is followed exactly. Run it after creating the target's schema and before enabling dual
 * writes. Never moves a generator backwards. Built on core's `readKeyGenerators` and
 * `advanceKeyGenerators`.
 *
 * SQLite tables keyed by a plain `INTEGER PRIMARY KEY` (without `AUTOINCREMENT`) take
 * `max(rowid) + 1` and have no counter to move, so they are not in the result; for
 * those, backfill before dual writes begin, or let the application choose its ids.
 *
 * @example
 * ```ts
 * for (const ddl of translateSchema(await sqlite.introspect(), 'postgres').statements) await postgres.execute(ddl);
 * await alignSequences(sqlite, postgres);
 * const db = createDualWriteAdapter(sqlite, postgres);
 * ```
 */
export async function alignSequences(
  source: DatabaseAdapter,
  target: DatabaseAdapter,
  options: AlignSequencesOptions = {},
): Promise<AlignedSequence[]> {
  const selection = options.tables ? { tables: options.tables } : {};
  if (options.tables) {
    const present = new Set((await source.introspect()).map((t) => t.name.toLowerCase()));
    const missing = options.tables.filter((name) => !present.has(name.toLowerCase()));
    if (missing.length > 0) {
      throw new InvalidArgumentError(`alignSequences: no table ${missing.join(', ')} in the source. Check the tables option.`);
    }
  }
  const positions = await readKeyGenerators(source, selection);
  const aligned: AlignedSequence[] = [];
  for (const done of await advanceKeyGenerators(target, positions, selection)) {
    const from = positions.find(
      (p) => p.table.toLowerCase() === done.table.toLowerCase() && p.column.toLowerCase() === done.column.toLowerCase(),
    );
    if (done.kind === 'rowid' || !from) continue;
    aligned.push({ table: done.table, column: done.column, value: done.to, source: from.position });
  }
  return aligned;
}
