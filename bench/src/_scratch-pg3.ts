import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createDualWriteAdapter, outboxMirror } from '@switchyard/dual-write';
const pgA = createPostgresAdapter('postgres://postgres@127.0.0.1:5432/test');
await pgA.execute('DROP TABLE IF EXISTS sa, sc, sd, _switchyard_outbox');
for (const t of ['sa', 'sc', 'sd']) await pgA.execute(`CREATE TABLE ${t} (id bigint primary key, name text, score float8, active bool, created_at timestamptz)`);
const mirror = outboxMirror(pgA);
const dw = createDualWriteAdapter(pgA, createSQLiteAdapter(':memory:'), { secondaryWrites: 'async', mirror });
function p50(xs: number[]) { xs.sort((a, b) => a - b); return xs[Math.floor(xs.length / 2)]!.toFixed(4); }
const r: Record<string, number[]> = { alone: [], dual: [], prepared: [] };
for (let i = 1; i <= 4000; i++) {
  const params = [i, `user-${i}`, i * 0.5, i % 2 === 0, new Date(1_700_000_000_000 + i)];
  const order = [0, 1, 2].sort(() => Math.random() - 0.5);
  for (const k of order) {
    const s = performance.now();
    if (k === 0) await pgA.execute('INSERT INTO sa (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', params);
    if (k === 1) await dw.execute('INSERT INTO sc (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', params);
    if (k === 2) { const p = await mirror.prepare([{ sql: 'INSERT INTO sd (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', params }]); await pgA.execute(p.statements[0]!.sql, p.statements[0]!.params); }
    if (i > 500) r[['alone', 'dual', 'prepared'][k]!]!.push(performance.now() - s);
  }
}
for (const [k, v] of Object.entries(r)) console.log(k, p50(v));
await pgA.close();
