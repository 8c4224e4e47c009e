import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startTestPostgres } from '@switchyard/testkit/postgres-server';
import { quickValidate } from '@switchyard/validation';

const ROWS = 1_000_000;
const BASE = Date.UTC(2024, 0, 1);
async function median(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) { const s = performance.now(); await fn(); t.push(performance.now() - s); }
  t.sort((a, b) => a - b); return t[Math.floor(t.length / 2)]!;
}
const server = await startTestPostgres();
const database = await createTestDatabase(server.url);
const file = join(mkdtempSync(join(tmpdir(), 'sc-')), 'b.db');
const db = new Database(file); db.pragma('journal_mode = WAL');
db.exec('CREATE TABLE bench (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount REAL, active BOOLEAN, created_at DATETIME, payload JSON)');
const ins = db.prepare('INSERT INTO bench VALUES (?, ?, ?, ?, ?, ?)');
db.transaction(() => { for (let i = 1; i <= ROWS; i++) ins.run(i, `customer-${i}-${'x'.repeat(i % 13)}`, i * 0.25, i % 3 ? 0 : 1, new Date(BASE + i * 1000).toISOString().slice(0, 19).replace('T', ' '), `{"plan":"pro","seats":${i % 50},"tags":["t${i % 7}"]}`); })();
db.close();
const c = new pg.Client({ connectionString: database.url }); await c.connect();
await c.query('CREATE TABLE bench (id bigint PRIMARY KEY, name text NOT NULL, amount double precision, active boolean, created_at timestamptz, payload jsonb)');
await c.query(`INSERT INTO bench SELECT i, 'customer-' || i || '-' || repeat('x', i % 13), i * 0.25, i % 3 = 0, timestamptz '2024-01-01Z' + i * interval '1 second', jsonb_build_object('plan','pro','seats', i % 50, 'tags', jsonb_build_array('t' || (i % 7))) FROM generate_series(1, ${ROWS}) i`);
await c.query('VACUUM ANALYZE bench');
const sqlite = createSQLiteAdapter(file); const postgres = createPostgresAdapter(database.url);
await sqlite.query('SELECT count(*) FROM bench'); await postgres.query('SELECT count(*) FROM bench');
const raw = new Database(file, { readonly: true }); const rc = raw.prepare('SELECT count(*) FROM bench');
for (let k = 0; k < 2; k++) {
console.log('sqlite adapter count', await median(9, () => sqlite.query('SELECT count(*) FROM bench')));
console.log('sqlite raw count', await median(9, () => rc.get()));
console.log('pg adapter count', await median(9, () => postgres.query('SELECT count(*) FROM bench')));
console.log('pg raw count', await median(9, () => c.query('SELECT count(*) FROM bench')));
console.log('both raw concurrent', await median(9, async () => { const p = c.query('SELECT count(*) FROM bench'); await new Promise(r => setImmediate(r)); rc.get(); await p; }));
console.log('quickValidate', await median(9, () => quickValidate(sqlite, postgres)));
console.log('quickValidate tables', await median(9, () => quickValidate(sqlite, postgres, { tables: ['bench'] })));
await c.query('SET max_parallel_workers_per_gather = 0');
console.log('pg raw count serial', await median(9, () => c.query('SELECT count(*) FROM bench')));
console.log('both raw concurrent pg serial', await median(9, async () => { const p = c.query('SELECT count(*) FROM bench'); await new Promise(r => setImmediate(r)); rc.get(); await p; }));
await c.query('RESET max_parallel_workers_per_gather');
}
await c.end(); await sqlite.close(); await postgres.close(); await database.drop(); await server.stop();
