/**
 * copyTables against the tools people would otherwise use, in one run on the same
 * 1M-row, 8-column SQLite table (`--rows N` to scale):
 * - SQLite -> Postgres: copyTables (COPY through a staging table, ON CONFLICT DO NOTHING,
 *   checkpoints) vs `psql \copy` of the same rows pre-rendered as CSV (target >= 0.75x)
 *   and vs pgloader loading the same SQLite file (target >= 1.5x);
 * - Postgres -> SQLite: copyTables vs a raw better-sqlite3 prepared INSERT loop in one
 *   transaction, fed by the same keyset reads from pg (target >= 0.7x);
 * - D1: share of the 100-parameter limit each INSERT uses for an 8-column table, from
 *   the batch plan and measured on Miniflare (target >= 95%).
 * Every target table starts empty and has the same primary key.
 *
 * Run: pnpm --filter @switchyard/bench copy [-- --rows 1000000] [--concurrency 2]
 * (POSTGRES_URL when set, else an embedded Postgres; psql and pgloader from PATH,
 * pgloader installed with apt-get when missing and skipped with a note if it cannot be.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { DEFAULT_CAPABILITIES, type DatabaseAdapter, type Statement } from '@switchyard/core';
import { copyTables, planBatch } from '@switchyard/copy';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startTestPostgres } from '@switchyard/testkit/postgres-server';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROWS = arg('rows', 1_000_000);
const CONCURRENCY = arg('concurrency', 2);

const SQLITE_DDL = `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, active BOOLEAN NOT NULL,
  created_at DATETIME, payload TEXT, data BLOB, amount NUMERIC)`;
const PG_DDL = (name: string) => `CREATE TABLE ${name} (id BIGINT PRIMARY KEY, name TEXT NOT NULL, score DOUBLE PRECISION,
  active BOOLEAN NOT NULL, created_at TIMESTAMPTZ, payload TEXT, data BYTEA, amount NUMERIC)`;

const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-copy-'));
const server = await startTestPostgres();
const database = await createTestDatabase(server.url);
const pgloaderDb = await createTestDatabase(server.url);
const lines: string[] = [];
const print = (s: string) => {
  lines.push(s);
  console.log(s);
};
const rate = (seconds: number) => Math.round(ROWS / seconds);
const time = async (fn: () => unknown): Promise<number> => {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
};

try {
  // The source: one SQLite file, the same rows for every contender.
  const sourcePath = join(dir, 'source.db');
  const raw = new Database(sourcePath);
  raw.pragma('journal_mode = WAL');
  raw.exec(SQLITE_DDL);
  const insert = raw.prepare('INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  raw.transaction(() => {
    for (let i = 1; i <= ROWS; i++) {
      insert.run(
        i,
        `user ${i} ${'x'.repeat(i % 23)}`,
        i / 7,
        i % 2,
        new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
        `{"i":${i},"ok":${i % 2 === 0}}`,
        Buffer.from([i & 255, (i >> 8) & 255, 7]),
        `${i}.25`,
      );
    }
  })();
  // The same rows pre-rendered as CSV for psql (not timed).
  const csvPath = join(dir, 'items.csv');
  const csv: string[] = [];
  for (const r of raw.prepare('SELECT * FROM items ORDER BY id').iterate() as Iterable<Record<string, any>>) {
    csv.push(
      `${r.id},"${r.name}",${r.score},${r.active ? 't' : 'f'},${r.created_at},"${r.payload.replace(/"/g, '""')}",\\x${(r.data as Buffer).toString('hex')},${r.amount}`,
    );
  }
  writeFileSync(csvPath, csv.join('\n') + '\n');
  raw.close();
  print(
    `copy benchmark: ${ROWS.toLocaleString('en')} rows x 8 columns, Postgres at ${new URL(server.url).host}, concurrency ${CONCURRENCY}, load average ${loadavg()[0]!.toFixed(1)}`,
  );

  const pgAdmin = new pg.Client({ connectionString: database.url });
  await pgAdmin.connect();
  await pgAdmin.query(PG_DDL('items'));
  await pgAdmin.query(PG_DDL('items_psql'));

  // 1. psql \copy of the CSV.
  const psqlSeconds = await time(() =>
    execFileSync('psql', [database.url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `\\copy items_psql FROM '${csvPath}' WITH (FORMAT csv)`]),
  );

  // 2. copyTables SQLite -> Postgres. Like psql and pgloader, it copies a table nothing
  // writes to meanwhile, so re-reading batches for concurrent app writes is turned off;
  // the default (reconcile on, as while dual writes run) is measured too.
  const source = createSQLiteAdapter(sourcePath);
  const target = createPostgresAdapter(database.url);
  const copyInto = async (reconcile: boolean) => {
    const seconds = await time(async () => {
      const result = await copyTables(source, target, { tables: ['items'], concurrency: CONCURRENCY, reconcile });
      if (result.summary.rowsCopied !== ROWS) throw new Error(`copied ${result.summary.rowsCopied} rows, expected ${ROWS}`);
    });
    const copied = await pgAdmin.query('SELECT count(*)::int AS n FROM items');
    if (copied.rows[0].n !== ROWS) throw new Error(`Postgres holds ${copied.rows[0].n} rows after copyTables`);
    return seconds;
  };
  const copySeconds = await copyInto(false);
  await pgAdmin.query('TRUNCATE items');
  await target.execute('DELETE FROM _switchyard_checkpoints');
  const reconcileSeconds = await copyInto(true);

  // 3. pgloader on the same SQLite file.
  const pgloaderSeconds = await runPgloader(sourcePath, pgloaderDb.url);

  // 4. Postgres -> SQLite: copyTables vs a raw prepared insert loop.
  const backPath = join(dir, 'back.db');
  const back = createSQLiteAdapter(backPath);
  await back.execute(SQLITE_DDL);
  const backSeconds = await time(async () => {
    const result = await copyTables(target, back, { tables: ['items'], concurrency: CONCURRENCY, reconcile: false });
    if (result.summary.rowsCopied !== ROWS) throw new Error(`copied ${result.summary.rowsCopied} rows back, expected ${ROWS}`);
  });
  await back.close();
  const loopSeconds = await rawInsertLoop(database.url, join(dir, 'loop.db'));

  // 5. D1: the share of the 100-parameter limit per INSERT.
  const plan = planBatch(DEFAULT_CAPABILITIES.d1, 8);
  const measured = await measureD1Share();

  print('');
  print('| case | rows/s | vs baseline | target |');
  print('| --- | ---: | ---: | --- |');
  print(`| psql \\copy (CSV, baseline) | ${rate(psqlSeconds).toLocaleString('en')} | 1.00x | |`);
  print(
    `| copyTables SQLite -> Postgres | ${rate(copySeconds).toLocaleString('en')} | ${(psqlSeconds / copySeconds).toFixed(2)}x psql | >= 0.75x ${psqlSeconds / copySeconds >= 0.75 ? 'met' : 'MISSED'} |`,
  );
  print(
    `| copyTables SQLite -> Postgres, reconcile on (default, for a source being written) | ${rate(reconcileSeconds).toLocaleString('en')} | ${(psqlSeconds / reconcileSeconds).toFixed(2)}x psql | |`,
  );
  if (pgloaderSeconds === undefined) {
    print('| pgloader | not measured: pgloader is not installed and could not be installed | | |');
  } else {
    print(
      `| pgloader (same SQLite file) | ${rate(pgloaderSeconds).toLocaleString('en')} | copyTables ${(pgloaderSeconds / copySeconds).toFixed(2)}x pgloader | >= 1.5x ${pgloaderSeconds / copySeconds >= 1.5 ? 'met' : 'MISSED'} |`,
    );
  }
  print(`| raw better-sqlite3 loop (baseline) | ${rate(loopSeconds).toLocaleString('en')} | 1.00x | |`);
  print(
    `| copyTables Postgres -> SQLite | ${rate(backSeconds).toLocaleString('en')} | ${(loopSeconds / backSeconds).toFixed(2)}x loop | >= 0.7x ${loopSeconds / backSeconds >= 0.7 ? 'met' : 'MISSED'} |`,
  );
  print(
    `| D1 parameters per INSERT (plan) | ${plan.rowsPerStatement} rows x 8 = ${plan.paramsPerStatement} of 100 | ${(plan.parameterShare * 100).toFixed(0)}% | >= 95% ${plan.parameterShare >= 0.95 ? 'met' : 'MISSED'} |`,
  );
  if (measured)
    print(
      `| D1 parameters per INSERT (Miniflare, ${measured.statements} statements) | max ${measured.max}, median ${measured.median} of 100 | ${measured.median}% | >= 95% ${measured.median >= 95 ? 'met' : 'MISSED'} |`,
    );
  print(
    `load average at the end: ${loadavg()[0]!.toFixed(1)} (ratios are measured in one run; a busy machine lowers the JavaScript side more than psql)`,
  );
  await pgAdmin.end();
  await source.close();
  await target.close();
} finally {
  await database.drop();
  await pgloaderDb.drop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function runPgloader(sqlitePath: string, url: string): Promise<number | undefined> {
  const has = () => spawnSync('pgloader', ['--version']).status === 0;
  if (!has()) {
    console.log('pgloader not found: trying apt-get install -y pgloader');
    spawnSync('apt-get', ['install', '-y', 'pgloader'], { stdio: 'ignore' });
    if (!has()) return undefined;
  }
  // pgloader creates its own schema (tables, primary key) and loads the data: the whole job it would do.
  const load = join(dir, 'load.pgl');
  writeFileSync(
    load,
    `LOAD DATABASE FROM sqlite://${sqlitePath} INTO ${url}\n WITH include drop, create tables, create indexes, reset sequences;\n`,
  );
  const started = performance.now();
  const run = spawnSync('pgloader', ['--quiet', load], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) {
    console.log(`pgloader failed (${run.status}): ${(run.stderr || run.stdout).slice(0, 500)}`);
    return undefined;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const n = (await client.query('SELECT count(*)::int AS n FROM items')).rows[0].n;
  await client.end();
  if (n !== ROWS) throw new Error(`pgloader loaded ${n} rows, expected ${ROWS}`);
  return seconds;
}

/** The baseline back to SQLite: the same keyset pages from pg, one prepared INSERT per row, one transaction. */
async function rawInsertLoop(url: string, path: string): Promise<number> {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(SQLITE_DDL);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const insert = db.prepare('INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const seconds = await time(async () => {
    db.exec('BEGIN');
    let after = 0;
    for (;;) {
      const { rows } = await client.query('SELECT * FROM items WHERE id > $1 ORDER BY id LIMIT 5000', [after]);
      if (rows.length === 0) break;
      for (const r of rows) {
        insert.run(Number(r.id), r.name, r.score, r.active ? 1 : 0, r.created_at.toISOString(), r.payload, r.data, r.amount);
      }
      after = Number(rows[rows.length - 1].id);
    }
    db.exec('COMMIT');
  });
  await client.end();
  db.close();
  return seconds;
}

/** Copies 1,200 rows into D1 on Miniflare and records the parameters of every INSERT sent. */
async function measureD1Share(): Promise<{ statements: number; max: number; median: number } | undefined> {
  try {
    const { createTestD1 } = await import('@switchyard/testkit/d1');
    const { createD1Adapter } = await import('@switchyard/d1');
    const d1 = await createTestD1();
    const adapter = createD1Adapter(d1.binding);
    await adapter.execute(SQLITE_DDL);
    const src = createSQLiteAdapter(':memory:');
    await src.execute(SQLITE_DDL);
    for (let i = 1; i <= 1200; i++) {
      await src.execute('INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        i,
        `n${i}`,
        i / 3,
        i % 2,
        '2024-01-01T00:00:00.000Z',
        '{}',
        null,
        '1.5',
      ]);
    }
    const counts: number[] = [];
    const recorder = new Proxy(adapter, {
      get(obj, prop, receiver) {
        if (prop === 'batch') {
          return (statements: Statement[]) => {
            for (const s of statements) if (/^INSERT INTO "items"/.test(s.sql)) counts.push(s.params?.length ?? 0);
            return obj.batch(statements);
          };
        }
        const value = Reflect.get(obj, prop, receiver);
        return typeof value === 'function' ? value.bind(obj) : value;
      },
    }) as DatabaseAdapter;
    await copyTables(src, recorder, { tables: ['items'] });
    await src.close();
    await adapter.close();
    await d1.dispose();
    counts.sort((a, b) => a - b);
    return { statements: counts.length, max: counts[counts.length - 1]!, median: counts[Math.floor(counts.length / 2)]! };
  } catch (error) {
    console.log(`D1 on Miniflare not measured: ${(error as Error).message}`);
    return undefined;
  }
}
