/**
 * Validation against the plain reads it is made of, in one run, SQLite (file) vs Postgres:
 * - quickValidate against `SELECT count(*)` on the slower side (target <= 1.2x);
 * - validateDatabases({ validateAllRows: true }) on identical rows of 6 mixed-type
 *   columns against a plain ordered full scan (`SELECT * ... ORDER BY id`, every row
 *   read through the adapter) of the slower side (target <= 2x);
 * - the same with 0.1% of the rows changed, scattered over the table (target <= 3x).
 * Each figure is the median of several runs.
 *
 * Run: pnpm --filter @switchyard/bench validation [--rows N]   (POSTGRES_URL, else embedded Postgres)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startTestPostgres } from '@switchyard/testkit/postgres-server';
import { quickValidate, validateDatabases, type ValidationReport } from '@switchyard/validation';

const ROWS = argNumber('--rows', 1_000_000);
const RUNS = argNumber('--runs', 3);
const COUNT_RUNS = 9;

function argNumber(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} takes a positive integer`);
  return value;
}

const SQLITE_DDL =
  'CREATE TABLE bench (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount REAL, active BOOLEAN, created_at DATETIME, payload JSON)';
const PG_DDL =
  'CREATE TABLE bench (id bigint PRIMARY KEY, name text NOT NULL, amount double precision, active boolean, created_at timestamptz, payload jsonb)';

const BASE = Date.UTC(2024, 0, 1);
const row = (i: number) => {
  const id = i + 1;
  return {
    id,
    name: `customer-${id}-${'x'.repeat(id % 13)}`,
    amount: (id % 10_000) * 0.25 + 0.1,
    active: id % 3 === 0,
    created: new Date(BASE + id * 1000),
    payload: `{"plan":"${id % 2 ? 'pro' : 'free'}","seats":${id % 50},"tags":["t${id % 7}"]}`,
  };
};

function loadSqlite(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(SQLITE_DDL);
  const insert = db.prepare('INSERT INTO bench VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const r = row(i);
      // SQLite's natural forms: 1/0 and 'YYYY-MM-DD HH:MM:SS' text.
      insert.run(r.id, r.name, r.amount, r.active ? 1 : 0, r.created.toISOString().slice(0, 19).replace('T', ' '), r.payload);
    }
  })();
  db.close();
}

async function loadPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(PG_DDL);
    const lines = function* () {
      const batch: string[] = [];
      for (let i = 0; i < ROWS; i++) {
        const r = row(i);
        batch.push(`${r.id}\t${r.name}\t${r.amount}\t${r.active ? 't' : 'f'}\t${r.created.toISOString()}\t${r.payload}\n`);
        if (batch.length === 10_000) yield batch.splice(0).join('');
      }
      if (batch.length) yield batch.join('');
    };
    await pipeline(Readable.from(lines()), client.query(copyFrom('COPY bench FROM STDIN')));
    await client.query('ANALYZE bench');
  } finally {
    await client.end();
  }
}

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function expectReport(report: ValidationReport, ok: boolean, label: string): void {
  if (report.ok !== ok) {
    console.error(report.summary);
    throw new Error(`${label}: expected ok=${ok}`);
  }
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(3)}s`.padStart(9);

async function main(): Promise<void> {
  const server = await startTestPostgres();
  const database = await createTestDatabase(server.url);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const file = join(dir, 'bench.db');
  let sqlite: DatabaseAdapter | undefined;
  let postgres: DatabaseAdapter | undefined;
  try {
    console.log(`Loading ${ROWS.toLocaleString('en-US')} rows into SQLite (file) and Postgres...`);
    const started = performance.now();
    loadSqlite(file);
    await loadPostgres(database.url);
    console.log(`  loaded in ${fmt(performance.now() - started)}\n`);
    sqlite = createSQLiteAdapter(file);
    postgres = createPostgresAdapter(database.url);
    const sides = { sqlite, postgres };

    // Warm both sides' caches so neither baseline nor validation pays for the first read.
    for (const side of Object.values(sides)) await side.query('SELECT * FROM bench ORDER BY id LIMIT 100000');
    await validateDatabases(sqlite, postgres, { validateAllRows: true });

    const countTimes = {
      sqlite: await median(COUNT_RUNS, () => sqlite!.query('SELECT count(*) FROM bench')),
      postgres: await median(COUNT_RUNS, () => postgres!.query('SELECT count(*) FROM bench')),
    };
    const countSlower = Math.max(countTimes.sqlite, countTimes.postgres);
    const quick = await median(COUNT_RUNS, async () => expectReport(await quickValidate(sqlite!, postgres!), true, 'quickValidate'));

    // Full-scan baselines, each side read the fastest plain way we know: one
    // `SELECT * ORDER BY id` through the adapter, and the raw driver streaming
    // (better-sqlite3 iterate(); pg in keyset pages, which beats one 1M-row result).
    // A side's baseline is its fastest; the slower side's is the reference.
    const rawSqlite = new Database(file, { readonly: true });
    const rawPg = new pg.Client({ connectionString: database.url });
    await rawPg.connect();
    const scans = {
      sqlite: {
        adapter: await median(RUNS, () => sqlite!.query('SELECT * FROM bench ORDER BY id')),
        raw: await median(RUNS, async () => {
          let n = 0;
          for (const _ of rawSqlite.prepare('SELECT * FROM bench ORDER BY id').iterate()) n++;
          return n;
        }),
      },
      postgres: {
        adapter: await median(RUNS, () => postgres!.query('SELECT * FROM bench ORDER BY id')),
        raw: await median(RUNS, async () => {
          let last = 0;
          for (;;) {
            const page = await rawPg.query('SELECT * FROM bench WHERE id > $1 ORDER BY id LIMIT 10000', [last]);
            if (page.rows.length === 0) break;
            last = Number(page.rows[page.rows.length - 1].id);
          }
        }),
      },
    };
    rawSqlite.close();
    await rawPg.end();
    const scanTimes = {
      sqlite: Math.min(scans.sqlite.adapter, scans.sqlite.raw),
      postgres: Math.min(scans.postgres.adapter, scans.postgres.raw),
    };
    const scanSlower = Math.max(scanTimes.sqlite, scanTimes.postgres);
    const full = await median(RUNS, async () =>
      expectReport(await validateDatabases(sqlite!, postgres!, { validateAllRows: true }), true, 'identical rows'),
    );

    // 0.1% of rows changed, scattered: every 1000th row's name on the Postgres side.
    const changed = await postgres.execute("UPDATE bench SET name = name || '!' WHERE id % 1000 = 0");
    let lastReport: ValidationReport | undefined;
    const diff = await median(RUNS, async () => {
      lastReport = await validateDatabases(sqlite!, postgres!, { validateAllRows: true });
      expectReport(lastReport, false, 'scattered differences');
    });
    const found = lastReport!.tables[0]!.differentRowsCount;
    if (found !== changed.rowsAffected) throw new Error(`found ${found} differing rows, expected ${changed.rowsAffected}`);

    const line = (label: string, ms: number, base: number, target: number) =>
      `${label.padEnd(58)}${fmt(ms)}  ${(ms / base).toFixed(2)}x  (target <= ${target}x) ${ms / base <= target ? 'ok' : 'MISSED'}`;
    console.log(
      `SQLite (file) vs Postgres, ${ROWS.toLocaleString('en-US')} rows, 6 columns, median of ${RUNS} runs (counts: ${COUNT_RUNS})`,
    );
    console.log(`${'SELECT count(*)'.padEnd(58)}sqlite ${fmt(countTimes.sqlite)}  postgres ${fmt(countTimes.postgres)}`);
    console.log(line('quickValidate (vs count(*) on the slower side)', quick, countSlower, 1.2));
    console.log(
      `${'full scan: SELECT * ORDER BY id, through the adapter'.padEnd(58)}sqlite ${fmt(scans.sqlite.adapter)}  postgres ${fmt(scans.postgres.adapter)}`,
    );
    console.log(
      `${'full scan: raw driver (sqlite iterate(), pg 10k-row pages)'.padEnd(58)}sqlite ${fmt(scans.sqlite.raw)}  postgres ${fmt(scans.postgres.raw)}`,
    );
    console.log(line('validateAllRows, identical (vs the slower full scan)', full, scanSlower, 2));
    console.log(line(`validateAllRows, ${found} rows differ (0.1%) (vs the slower scan)`, diff, scanSlower, 3));
  } finally {
    await sqlite?.close();
    await postgres?.close();
    await database.drop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
