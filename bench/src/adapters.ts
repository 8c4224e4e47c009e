/**
 * Bulk insert through each adapter's batch() against its raw driver, in one run.
 *
 * Every case inserts the same 100k rows (integer id, text, real, boolean, timestamp)
 * into a fresh table of the same shape, inside one transaction:
 * - raw better-sqlite3: one prepared single-row INSERT run per row inside db.transaction();
 * - SQLite / Postgres / D1 adapters: adapter.batch() of multi-row INSERT statements
 *   with `?` placeholders, each packed up to the adapter's parameter limit (how batch()
 *   is meant to be used for bulk work);
 * - raw pg: the same multi-row INSERTs with `$n`, sent one after another between
 *   BEGIN and COMMIT on one Client;
 * - raw D1: binding.batch() of the same multi-row INSERTs, prepared and bound by hand.
 * Raw and adapter runs alternate, each on a fresh table; the table shows the fastest
 * of BENCH_RUNS runs (default 9; one run each on Miniflare, which is slow: BENCH_D1_RUNS).
 *
 * Then the D1 facade's overhead: asD1Database over a D1 adapter against the binding
 * itself (see d1-facade-overhead.ts), and Kysely stream() through adapter.db against
 * Kysely's own dialects (adapters-stream.ts).
 *
 * Run: pnpm --filter @switchyard/bench adapters   (POSTGRES_URL, else embedded Postgres;
 * BENCH_STREAM_ONLY=1 runs only the stream part)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DatabaseAdapter, Statement } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase, startTestPostgres } from '@switchyard/testkit/postgres-server';
import { benchStream } from './adapters-stream';
import { printD1FacadeOverhead } from './d1-facade-overhead';
import { printTable, type Result } from './adapters-table';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const COLUMNS = ['id', 'name', 'score', 'active', 'created_at'] as const;

type BenchRow = [id: number, name: string, score: number, active: boolean, createdAt: Date];

const rows: BenchRow[] = Array.from({ length: ROWS }, (_, i) => [
  i + 1,
  `user-${i}-${'x'.repeat(i % 17)}`,
  i * 0.25 + 0.1,
  i % 3 === 0,
  new Date(Date.UTC(2024, 0, 1) + i * 1000),
]);

interface Case {
  setup: () => Promise<void> | void;
  run: () => Promise<void> | void;
}

/**
 * Times the raw case and the adapter case alternately, each on a fresh table, so both
 * see the same machine load; returns the fastest run of each (the run least disturbed
 * by whatever else the machine is doing, which a shared CI box has plenty of).
 */
async function measurePair(raw: Case, adapter: Case, runs = RUNS): Promise<[number, number]> {
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    for (const [k, c] of [raw, adapter].entries()) {
      await c.setup();
      const started = performance.now();
      await c.run();
      times[k]!.push((performance.now() - started) / 1000);
    }
  }
  return [Math.min(...times[0]), Math.min(...times[1])];
}

/** Multi-row INSERT statements with `?`, each within `maxParams` bound values. */
function insertStatements(table: string, maxParams: number, placeholder = (_n: number) => '?'): Statement[] {
  const perStatement = Math.floor(maxParams / COLUMNS.length);
  const out: Statement[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const row of chunk) {
      const n = params.length;
      tuples.push('(' + COLUMNS.map((_, c) => placeholder(n + c + 1)).join(', ') + ')');
      params.push(...row);
    }
    out.push({ sql: `INSERT INTO ${table} (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params });
  }
  return out;
}

const SQLITE_DDL = (t: string) =>
  `CREATE TABLE ${t} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, active BOOLEAN, created_at DATETIME)`;
const PG_DDL = (t: string) =>
  `CREATE TABLE ${t} (id integer PRIMARY KEY, name text NOT NULL, score double precision, active boolean, created_at timestamptz)`;

async function benchSqlite(dir: string): Promise<Result[]> {
  let n = 0;
  let raw: Database.Database | undefined;
  let adapter: DatabaseAdapter | undefined;
  let statements: Statement[] = [];
  const [rawSeconds, adapterSeconds] = await measurePair(
    {
      setup() {
        raw?.close();
        raw = new Database(join(dir, `raw-${++n}.db`));
        raw.pragma('journal_mode = WAL');
        raw.exec(SQLITE_DDL('items'));
      },
      // What a better-sqlite3 user writes by hand, converting booleans and dates as the adapter does.
      run() {
        const db = raw!;
        const insert = db.prepare(`INSERT INTO items (${COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?)`);
        db.transaction(() => {
          for (const [id, name, score, active, createdAt] of rows) {
            insert.run(id, name, score, active ? 1 : 0, createdAt.toISOString());
          }
        })();
      },
    },
    {
      async setup() {
        await adapter?.close();
        adapter = createSQLiteAdapter(join(dir, `adapter-${++n}.db`));
        await adapter.execute(SQLITE_DDL('items'));
        statements = insertStatements('items', adapter.capabilities.maxBoundParameters);
      },
      async run() {
        await adapter!.batch(statements);
      },
    },
  );
  raw?.close();
  await verifyCount(adapter!, 'sqlite');
  await adapter!.close();
  return [
    { name: 'better-sqlite3 raw', measures: 'prepared 1-row INSERT per row, one transaction', seconds: rawSeconds },
    {
      name: 'sqlite adapter',
      measures: `batch() of ${statements.length} multi-row INSERTs (${Math.floor(32766 / COLUMNS.length)} rows each)`,
      seconds: adapterSeconds,
      baseline: 'better-sqlite3 raw',
    },
  ];
}

async function benchPostgres(serverUrl: string): Promise<Result[]> {
  const database = await createTestDatabase(serverUrl);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const adapter = createPostgresAdapter(database.url, { max: 2 });
  const maxParams = adapter.capabilities.maxBoundParameters;
  const rawStatements = insertStatements('items', maxParams, (i) => `$${i}`);
  const adapterStatements = insertStatements('items', maxParams);
  const fresh = async () => {
    await client.query('DROP TABLE IF EXISTS items');
    await client.query(PG_DDL('items'));
  };
  try {
    const [rawSeconds, adapterSeconds] = await measurePair(
      {
        setup: fresh,
        async run() {
          await client.query('BEGIN');
          for (const s of rawStatements) await client.query(s.sql, s.params as unknown[]);
          await client.query('COMMIT');
        },
      },
      {
        setup: fresh,
        async run() {
          await adapter.batch(adapterStatements);
        },
      },
    );
    await verifyCount(adapter, 'postgres');
    return [
      {
        name: 'pg raw',
        measures: `${rawStatements.length} multi-row INSERTs ($n, ${Math.floor(maxParams / COLUMNS.length)} rows each), BEGIN/COMMIT`,
        seconds: rawSeconds,
      },
      {
        name: 'postgres adapter',
        measures: `batch() of the same ${adapterStatements.length} INSERTs with ?`,
        seconds: adapterSeconds,
        baseline: 'pg raw',
      },
    ];
  } finally {
    await adapter.close();
    await client.end();
    await database.drop();
  }
}

async function benchD1(): Promise<Result[]> {
  const runs = Number(process.env.BENCH_D1_RUNS ?? 1);
  if (runs < 1) return [];
  let d1Module: typeof import('@switchyard/d1');
  let testkitD1: typeof import('@switchyard/testkit/d1');
  try {
    d1Module = await import('@switchyard/d1');
    testkitD1 = await import('@switchyard/testkit/d1');
  } catch {
    return [];
  }
  const d1 = await testkitD1.createTestD1();
  const adapter = d1Module.createD1Adapter(d1.binding);
  const statements = insertStatements('items', adapter.capabilities.maxBoundParameters);
  const fresh = async () => {
    await d1.binding.exec('DROP TABLE IF EXISTS items');
    await d1.binding.exec(SQLITE_DDL('items'));
  };
  try {
    // Miniflare takes tens of seconds per 100k rows: one run each keeps the benchmark short.
    const [rawSeconds, adapterSeconds] = await measurePair(
      {
        setup: fresh,
        // The binding's own batch, values converted by hand as D1 needs them.
        async run() {
          await d1.binding.batch(
            statements.map((s) =>
              d1.binding
                .prepare(s.sql)
                .bind(
                  ...(s.params as unknown[]).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Date ? v.toISOString() : v)),
                ),
            ),
          );
        },
      },
      {
        setup: fresh,
        async run() {
          await adapter.batch(statements);
        },
      },
      runs,
    );
    await verifyCount(adapter, 'd1');
    return [
      {
        name: 'd1 binding raw (miniflare)',
        measures: `binding.batch() of ${statements.length} multi-row INSERTs (${Math.floor(100 / COLUMNS.length)} rows each)`,
        seconds: rawSeconds,
      },
      {
        name: 'd1 adapter (miniflare)',
        measures: `batch() of the same ${statements.length} INSERTs`,
        seconds: adapterSeconds,
        baseline: 'd1 binding raw (miniflare)',
      },
    ];
  } finally {
    await adapter.close();
    await d1.dispose();
  }
}

async function verifyCount(adapter: DatabaseAdapter, label: string): Promise<void> {
  const row = await adapter.first<{ n: number }>('SELECT count(*) AS n FROM items');
  if (Number(row?.n) !== ROWS) throw new Error(`${label}: expected ${ROWS} rows, found ${row?.n}`);
}

const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
const server = await startTestPostgres();
try {
  if (!process.env.BENCH_STREAM_ONLY) {
    const results = [...(await benchSqlite(dir)), ...(await benchPostgres(server.url)), ...(await benchD1())];
    printTable(results, ROWS, RUNS);
    if (Number(process.env.BENCH_D1_RUNS ?? 1) >= 1) await printD1FacadeOverhead();
  }
  await benchStream(dir, server.url);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
