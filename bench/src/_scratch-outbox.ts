import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createDualWriteAdapter, outboxMirror } from '@switchyard/dual-write';

const dir = mkdtempSync(join(tmpdir(), 'ob-'));
const N = 3000;
function p50(xs: number[]) { xs.sort((a, b) => a - b); return xs[Math.floor(xs.length / 2)]!.toFixed(4); }
async function measure(label: string, fn: (i: number) => unknown) {
  for (let i = 0; i < 300; i++) await fn(1_000_000 + i);
  const t: number[] = [];
  for (let i = 1; i <= N; i++) { const s = performance.now(); await fn(i); t.push(performance.now() - s); }
  console.log(label.padEnd(40), p50(t));
}
const DDL = (t: string) => `CREATE TABLE ${t} (id INTEGER PRIMARY KEY, name TEXT, score REAL, active BOOLEAN, created_at TEXT)`;
const raw = new Database(join(dir, 'raw.db')); raw.pragma('journal_mode = WAL');
console.log('synchronous', raw.pragma('synchronous', { simple: true }));
raw.exec(DDL('a')); raw.exec(DDL('b'));
raw.exec('CREATE TABLE ob (seq INTEGER PRIMARY KEY AUTOINCREMENT, op_id TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL)');
const ia = raw.prepare('INSERT INTO a VALUES (?, ?, ?, ?, ?)');
const ib = raw.prepare('INSERT INTO b VALUES (?, ?, ?, ?, ?)');
const io = raw.prepare('INSERT INTO ob (op_id, payload, created_at) VALUES (?, ?, ?)');
const both = raw.transaction((i: number) => { ib.run(i, `user-${i}`, i * 0.5, i % 2, '2024-01-01'); io.run('01JD7Q3M5X9K2V8H4T6R0N1B3C', JSON.stringify({ s: [{ sql: 'INSERT INTO b VALUES (?, ?, ?, ?, ?)', params: [i, `user-${i}`, i * 0.5, i % 2, '2024-01-01'] }] }), Date.now()); });
for (let r = 0; r < 2; r++) {
await measure('raw autocommit insert', (i) => ia.run(i + r * 10_000_000, `user-${i}`, i * 0.5, i % 2, '2024-01-01'));
await measure('raw tx insert + outbox', (i) => both(i + r * 10_000_000));
}
const a = createSQLiteAdapter(join(dir, 'ad.db'));
await a.execute(DDL('a')); await a.execute(DDL('c'));
const secondary = createSQLiteAdapter(':memory:');
const dw = createDualWriteAdapter(a, secondary, { secondaryWrites: 'async', mirror: outboxMirror(a) });
for (let r = 0; r < 2; r++) {
await measure('adapter execute', (i) => a.execute('INSERT INTO a (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', [i + r * 10_000_000, `user-${i}`, i * 0.5, i % 2 === 0, new Date(1_700_000_000_000 + i)]));
await measure('dual async outbox', (i) => dw.execute('INSERT INTO c (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', [i + r * 10_000_000, `user-${i}`, i * 0.5, i % 2 === 0, new Date(1_700_000_000_000 + i)]));
}
