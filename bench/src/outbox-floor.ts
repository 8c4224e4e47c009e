/**
 * The floor under any outbox that commits its entry with the write, measured with the
 * raw drivers and no Switchyard code: a single-row INSERT alone, against the same INSERT
 * plus an entry row of the same size as an outbox entry, in one transaction (better-sqlite3),
 * one data-modifying CTE (pg), one batch() (the D1 binding). Its cases take turns with the
 * outbox's own, insert by insert, so both see the same machine: an outbox can only be
 * compared fairly with this.
 */
import type { Miniflare } from 'miniflare';
import Database from 'better-sqlite3';
import pg from 'pg';
import { figures, PG_DDL, SQLITE_DDL } from './bench-figures';

type RawD1 = Awaited<ReturnType<Miniflare['getD1Database']>>;

/** One raw-driver case: a single-row insert of the benchmark's values, in the form {@link floorParams} gives. */
export interface FloorRun {
  name: string;
  run: (params: unknown[]) => unknown;
}

/** The floor's cases, in pairs (alone, then with its entry) for SQLite, Postgres and D1. */
export interface OutboxFloor {
  runs: FloorRun[];
  /** Drops and creates the floor's tables, so each round's ids start again at 1. */
  reset(): Promise<void>;
  /** Prints each pair and returns its p50 ratio (with entry / alone), keyed by the outbox case it bounds. */
  report(latencies: readonly number[][]): Map<string, number>;
  close(): Promise<void>;
}

/** The outbox cases the pairs bound, in the order of `runs`. */
const BOUNDS = ['SQLite file, outbox', 'Postgres, outbox', 'D1 (Miniflare), outbox'];

/**
 * The raw drivers' forms of the benchmark's values: a boolean as 0/1, a time as ISO text.
 * Made before a case's clock starts, as the app's own values are.
 */
export const floorParams = (p: readonly unknown[]) =>
  p.map((v) => (typeof v === 'boolean' ? Number(v) : v instanceof Date ? v.toISOString() : v));

/** Opens the raw drivers on the benchmark's SQLite file, Postgres database and D1 binding. */
export async function openOutboxFloor(sqliteFile: string, url: string, d1: RawD1): Promise<OutboxFloor> {
  const sqliteDb = new Database(sqliteFile);
  sqliteDb.pragma('journal_mode = WAL');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const entryDdl = (seq: string) =>
    `CREATE TABLE floor_entry (seq ${seq}, op_id TEXT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL)`;
  const insert = (t: string, ph: string[]) => `INSERT INTO ${t} (id, name, score, active, created_at) VALUES (${ph.join(', ')})`;
  const q = ['?', '?', '?', '?', '?'];
  const d = ['$1', '$2', '$3', '$4', '$5'];
  const entrySql = 'INSERT INTO floor_entry (op_id, payload, created_at) VALUES (?, ?, ?)';
  const pgWith = `WITH e AS (INSERT INTO floor_entry (op_id, payload, created_at) VALUES ($6, $7, $8)) ${insert('floor_with_entry', d)}`;
  const entryOf = (params: readonly unknown[]) => {
    const payload = JSON.stringify({
      v: 1,
      opId: '01JD7Q3M5X9K2V8H4T6R0N1B3C',
      seq: 0,
      createdAt: Date.now(),
      statements: [{ sql: insert('t', q), params }],
    });
    return ['01JD7Q3M5X9K2V8H4T6R0N1B3C', payload, Date.now()];
  };

  const reset = async () => {
    for (const t of ['floor_alone', 'floor_with_entry']) {
      sqliteDb.exec(`DROP TABLE IF EXISTS ${t}; ${SQLITE_DDL.replace('bench_dw', t)}`);
      await client.query(`DROP TABLE IF EXISTS ${t}; ${PG_DDL.replace('bench_dw', t)}`);
      await d1.exec(`DROP TABLE IF EXISTS ${t}`);
      await d1.prepare(SQLITE_DDL.replace('bench_dw', t)).run();
    }
    sqliteDb.exec(`DROP TABLE IF EXISTS floor_entry; ${entryDdl('INTEGER PRIMARY KEY AUTOINCREMENT')}`);
    await client.query(`DROP TABLE IF EXISTS floor_entry; ${entryDdl('BIGSERIAL PRIMARY KEY')}`);
    await d1.exec('DROP TABLE IF EXISTS floor_entry');
    await d1.prepare(entryDdl('INTEGER PRIMARY KEY AUTOINCREMENT')).run();
  };
  await reset();
  // Prepared once: SQLite prepares a statement again by itself after its table is made again.
  const alone = sqliteDb.prepare(insert('floor_alone', q));
  const withEntry = sqliteDb.prepare(insert('floor_with_entry', q));
  const entry = sqliteDb.prepare(entrySql);
  const both = sqliteDb.transaction((params: unknown[], e: unknown[]) => {
    withEntry.run(...params);
    entry.run(...e);
  });
  const runs: FloorRun[] = [
    { name: 'SQLite file: INSERT alone', run: (p) => alone.run(...p) },
    { name: 'SQLite file: INSERT + entry, one transaction', run: (p) => both(p, entryOf(p)) },
    { name: 'Postgres: INSERT alone', run: (p) => client.query(insert('floor_alone', d), p) },
    { name: 'Postgres: INSERT + entry, one CTE', run: (p) => client.query(pgWith, [...p, ...entryOf(p)]) },
    {
      name: 'D1 (Miniflare): INSERT alone',
      run: (p) =>
        d1
          .prepare(insert('floor_alone', q))
          .bind(...p)
          .run(),
    },
    {
      name: 'D1 (Miniflare): INSERT + entry, one batch()',
      run: (p) => d1.batch([d1.prepare(insert('floor_with_entry', q)).bind(...p), d1.prepare(entrySql).bind(...entryOf(p))]),
    },
  ];
  return {
    runs,
    reset,
    report(latencies) {
      const ratios = new Map<string, number>();
      console.log('\nOutbox floor: the raw drivers alone, no Switchyard code, taking turns with the cases above');
      for (let k = 0; k < runs.length; k += 2) {
        const a = figures([...latencies[k]!], 1);
        const withEntry = figures([...latencies[k + 1]!], 1);
        console.log(`${runs[k]!.name.padEnd(48)} p50 ${a.p50.toFixed(3)} ms`);
        console.log(
          `${runs[k + 1]!.name.padEnd(48)} p50 ${withEntry.p50.toFixed(3)} ms   ${(withEntry.p50 / a.p50).toFixed(3)}x / ${(withEntry.mean / a.mean).toFixed(3)}x (p50 / mean)`,
        );
        ratios.set(BOUNDS[k / 2]!, withEntry.p50 / a.p50);
      }
      return ratios;
    },
    close: async () => {
      sqliteDb.close();
      await client.end();
    },
  };
}
