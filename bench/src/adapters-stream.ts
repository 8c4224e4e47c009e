/**
 * Kysely `stream()` through each adapter's `db` against Kysely's own dialect on the same
 * driver, in one run: time to the first row and rows per second.
 *
 * - SQLite: a file of STREAM_ROWS rows, read with SqliteDialect on better-sqlite3 vs
 *   `adapter.db` on the SQLite adapter (better-sqlite3's iterate() underneath both).
 * - Postgres: a table of STREAM_ROWS rows, read with PostgresDialect (pg Pool and
 *   pg-cursor) vs `adapter.db` on the Postgres adapter (pg-cursor underneath both).
 * Native and adapter runs alternate; the table shows the fastest of BENCH_RUNS runs.
 * Targets: rows/s >= 0.9x native, first row within 2x.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';

const ROWS = Number(process.env.STREAM_ROWS ?? 300_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const CHUNK = 1000;

interface Timing {
  firstRowMs: number;
  seconds: number;
}

interface StreamResult {
  name: string;
  timing: Timing;
  baseline?: string;
}

async function timeStream(db: Kysely<any>): Promise<Timing> {
  const started = performance.now();
  let first = 0;
  let count = 0;
  for await (const _row of db.selectFrom('items').selectAll().orderBy('id').stream(CHUNK)) {
    if (count++ === 0) first = performance.now() - started;
  }
  if (count !== ROWS) throw new Error(`streamed ${count} rows, expected ${ROWS}`);
  return { firstRowMs: first, seconds: (performance.now() - started) / 1000 };
}

/** Alternates the two, keeping each one's fastest run and its fastest first row. */
async function measure(native: Kysely<any>, adapter: Kysely<any>): Promise<[Timing, Timing]> {
  const best: [Timing, Timing] = [
    { firstRowMs: Infinity, seconds: Infinity },
    { firstRowMs: Infinity, seconds: Infinity },
  ];
  for (let i = 0; i < RUNS; i++) {
    for (const [k, db] of [native, adapter].entries()) {
      const t = await timeStream(db);
      best[k]!.firstRowMs = Math.min(best[k]!.firstRowMs, t.firstRowMs);
      best[k]!.seconds = Math.min(best[k]!.seconds, t.seconds);
    }
  }
  return best;
}

async function benchSqliteStream(dir: string): Promise<StreamResult[]> {
  const file = join(dir, 'stream.db');
  const setup = new Database(file);
  setup.pragma('journal_mode = WAL');
  setup.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, created_at TEXT)');
  const insert = setup.prepare('INSERT INTO items VALUES (?, ?, ?, ?)');
  setup.transaction(() => {
    for (let i = 1; i <= ROWS; i++) insert.run(i, `user-${i}`, i * 0.25, new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString());
  })();
  setup.close();
  const native = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(file) }) });
  const adapter = createSQLiteAdapter(file);
  try {
    const [n, a] = await measure(native, adapter.db);
    return [
      { name: 'sqlite: Kysely SqliteDialect', timing: n },
      { name: 'sqlite: adapter.db', timing: a, baseline: 'sqlite: Kysely SqliteDialect' },
    ];
  } finally {
    await native.destroy();
    await adapter.close();
  }
}

async function benchPostgresStream(serverUrl: string): Promise<StreamResult[]> {
  const database = await createTestDatabase(serverUrl);
  const adapter = createPostgresAdapter(database.url, { max: 2 });
  const native = new Kysely<any>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }), cursor: Cursor }),
  });
  try {
    await adapter.execute(
      `CREATE TABLE items AS SELECT g AS id, 'user-' || g AS name, g * 0.25::float8 AS score,
         timestamptz '2024-01-01' + g * interval '1 second' AS created_at FROM generate_series(1, ${ROWS}) g`,
    );
    await adapter.execute('ALTER TABLE items ADD PRIMARY KEY (id)');
    const [n, a] = await measure(native, adapter.db);
    return [
      { name: 'postgres: Kysely PostgresDialect + pg-cursor', timing: n },
      { name: 'postgres: adapter.db', timing: a, baseline: 'postgres: Kysely PostgresDialect + pg-cursor' },
    ];
  } finally {
    await native.destroy();
    await adapter.close();
    await database.drop();
  }
}

function printStreamTable(results: StreamResult[]): void {
  const byName = new Map(results.map((r) => [r.name, r]));
  const lines = results.map((r) => {
    const base = r.baseline ? byName.get(r.baseline) : undefined;
    const rate = ROWS / r.timing.seconds;
    return [
      r.name,
      r.timing.firstRowMs.toFixed(2),
      base ? (r.timing.firstRowMs / base.timing.firstRowMs).toFixed(2) + 'x' : '(baseline)',
      Math.round(rate).toLocaleString('en-US'),
      base ? (rate / (ROWS / base.timing.seconds)).toFixed(2) + 'x' : '(baseline)',
    ];
  });
  const header = ['case', 'first row ms', 'vs native (<= 2x)', 'rows/s', 'vs native (>= 0.9x)'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\nstream() ${ROWS.toLocaleString('en-US')} rows in chunks of ${CHUNK}, ordered by id; fastest of ${RUNS} runs\n`);
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
  console.log('');
}

/**
 * Runs the stream benchmarks and prints their table.
 *
 * @example
 * ```ts
 * await benchStream(dir, server.url);
 * ```
 */
export async function benchStream(dir: string, serverUrl: string): Promise<void> {
  printStreamTable([...(await benchSqliteStream(dir)), ...(await benchPostgresStream(serverUrl))]);
}
