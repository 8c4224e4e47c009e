/**
 * copyTables into a real schema: a parent table and a child table with a foreign key,
 * a unique index and secondary indexes, created the way docs/runbook.md says (tables,
 * copy, then the post-data phase: indexes, and foreign keys NOT VALID + VALIDATE).
 * Baseline: `psql \copy` of the same rows as CSV into the same tables, followed by the
 * same post-data statements (what pg_restore does). Every contender gets a fresh database.
 * - copyTables (reconcile off) vs psql: target >= 0.75x;
 * - copyTables reconcile on vs off: target >= 0.5x;
 * - for information, copyTables into the finished schema (foreign keys and indexes
 *   present during the copy, one phase).
 *
 * Run: pnpm --filter @switchyard/bench copy-schema [-- --rows 500000]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { copyTables, introspectSchemaObjects, translateSchema, type TranslatedSchema } from '@switchyard/copy';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startTestPostgres } from '@switchyard/testkit/postgres-server';

const args = process.argv.slice(2);
const at = args.indexOf('--rows');
const ROWS = at >= 0 ? Number(args[at + 1]) : 500_000;
const ACCOUNTS = Math.max(1, Math.floor(ROWS / 10));

const SQLITE_DDL = `
  CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, created_at DATETIME NOT NULL);
  CREATE TABLE items (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), name TEXT NOT NULL, score REAL,
    active BOOLEAN NOT NULL, created_at DATETIME NOT NULL, payload JSON, amount NUMERIC);
  CREATE INDEX items_by_account ON items (account_id);
  CREATE INDEX items_by_created ON items (created_at);
`;

const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-copy-schema-'));
const server = await startTestPostgres();
const time = async (fn: () => unknown): Promise<number> => {
  const started = performance.now();
  await fn();
  return (performance.now() - started) / 1000;
};

try {
  const sourcePath = join(dir, 'source.db');
  const raw = new Database(sourcePath);
  raw.pragma('journal_mode = WAL');
  raw.exec(SQLITE_DDL);
  const stamp = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
  raw.transaction(() => {
    const account = raw.prepare('INSERT INTO accounts VALUES (?, ?, ?)');
    for (let a = 1; a <= ACCOUNTS; a++) account.run(a, `user${a}@example.com`, stamp(a));
    const item = raw.prepare('INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (let i = 1; i <= ROWS; i++) {
      item.run(i, 1 + (i % ACCOUNTS), `item ${i} ${'x'.repeat(i % 23)}`, i / 7, i % 2, stamp(i), `{"i":${i}}`, `${i}.25`);
    }
  })();
  // The same rows as CSV for psql (not timed).
  const accountsCsv = join(dir, 'accounts.csv');
  const itemsCsv = join(dir, 'items.csv');
  const csv = (sql: string, row: (r: Record<string, any>) => string) =>
    (raw.prepare(sql).all() as Record<string, any>[]).map(row).join('\n') + '\n';
  writeFileSync(
    accountsCsv,
    csv('SELECT * FROM accounts ORDER BY id', (r) => `${r.id},${r.email},${r.created_at}`),
  );
  writeFileSync(
    itemsCsv,
    csv(
      'SELECT * FROM items ORDER BY id',
      (r) =>
        `${r.id},${r.account_id},"${r.name}",${r.score},${r.active ? 't' : 'f'},${r.created_at},"${String(r.payload).replace(/"/g, '""')}",${r.amount}`,
    ),
  );
  raw.close();

  const source = createSQLiteAdapter(sourcePath);
  const schema: TranslatedSchema = translateSchema(await source.introspect(), 'postgres', {
    objects: await introspectSchemaObjects(source),
  });
  console.log(
    `copy into a schema with foreign keys and indexes: ${ROWS.toLocaleString('en')} items + ${ACCOUNTS.toLocaleString('en')} accounts, ` +
      `${schema.postData.length} post-data statements, load average ${loadavg()[0]!.toFixed(1)}`,
  );

  /** A fresh database: `phases` decides which statements run before and after `load`. */
  const measure = async (phases: 'two' | 'one', load: (url: string) => Promise<unknown>): Promise<number> => {
    const database = await createTestDatabase(server.url);
    const target = createPostgresAdapter(database.url);
    try {
      const before = phases === 'two' ? schema.tables : schema.statements;
      for (const sql of before) await target.execute(sql);
      return await time(async () => {
        await load(database.url);
        if (phases === 'two') for (const sql of schema.postData) await target.execute(sql);
      });
    } finally {
      await target.close();
      await database.drop();
    }
  };
  const psql = (url: string) => {
    for (const [table, file] of [
      ['accounts', accountsCsv],
      ['items', itemsCsv],
    ]) {
      execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `\\copy ${table} FROM '${file}' WITH (FORMAT csv)`]);
    }
  };
  const copy = (reconcile: boolean) => async (url: string) => {
    const target = createPostgresAdapter(url);
    try {
      const result = await copyTables(source, target, { reconcile, concurrency: 2 });
      if (result.summary.rowsCopied !== ROWS + ACCOUNTS) throw new Error(`copied ${result.summary.rowsCopied} rows`);
    } finally {
      await target.close();
    }
  };

  const psqlSeconds = await measure('two', async (url) => psql(url));
  const offSeconds = await measure('two', copy(false));
  const onSeconds = await measure('two', copy(true));
  const oneSeconds = await measure('one', copy(false));
  const rate = (s: number) => Math.round((ROWS + ACCOUNTS) / s).toLocaleString('en');
  console.log('');
  console.log('| case (tables, load, then post-data) | rows/s | ratio | target |');
  console.log('| --- | ---: | ---: | --- |');
  console.log(`| psql \\copy (CSV, baseline) | ${rate(psqlSeconds)} | 1.00x | |`);
  console.log(
    `| copyTables, reconcile off | ${rate(offSeconds)} | ${(psqlSeconds / offSeconds).toFixed(2)}x psql | >= 0.75x ${psqlSeconds / offSeconds >= 0.75 ? 'met' : 'MISSED'} |`,
  );
  console.log(
    `| copyTables, reconcile on | ${rate(onSeconds)} | ${(offSeconds / onSeconds).toFixed(2)}x reconcile off | >= 0.5x ${offSeconds / onSeconds >= 0.5 ? 'met' : 'MISSED'} |`,
  );
  console.log(
    `| copyTables into the finished schema (one phase) | ${rate(oneSeconds)} | ${(psqlSeconds / oneSeconds).toFixed(2)}x psql | |`,
  );
  console.log(`load average at the end: ${loadavg()[0]!.toFixed(1)}`);
  await source.close();
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
