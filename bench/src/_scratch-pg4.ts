import pg from 'pg';
import { createPostgresAdapter } from '@switchyard/postgres';
import { outboxMirror } from '@switchyard/dual-write';
const url = 'postgres://postgres@127.0.0.1:5432/test';
const pgA = createPostgresAdapter(url);
await pgA.execute('DROP TABLE IF EXISTS sa, sd, se, _switchyard_outbox');
for (const t of ['sa', 'sd', 'se']) await pgA.execute(`CREATE TABLE ${t} (id bigint primary key, name text, score float8, active bool, created_at timestamptz)`);
const mirror = outboxMirror(pgA); await mirror.ensureTable();
const c = new pg.Client({ connectionString: url }); await c.connect();
function p50(xs: number[]) { xs.sort((a, b) => a - b); return xs[Math.floor(xs.length / 2)]!.toFixed(4); }
const r: Record<string, number[]> = { rawAlone: [], rawMerged: [], adapterMerged: [] };
let shown = false;
for (let i = 1; i <= 4000; i++) {
  const params = [i, `user-${i}`, i * 0.5, i % 2 === 0, new Date(1_700_000_000_000 + i)];
  const order = [0, 1, 2].sort(() => Math.random() - 0.5);
  for (const k of order) {
    const s = performance.now();
    if (k === 0) await c.query('INSERT INTO sa (id, name, score, active, created_at) VALUES ($1,$2,$3,$4,$5)', params);
    if (k === 1) { const p = await mirror.prepare([{ sql: 'INSERT INTO sd (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', params }]); let n = 0; const text = p.statements[0]!.sql.replace(/\?/g, () => `$${++n}`); if (!shown) { shown = true; console.log(text, p.statements[0]!.params); } await c.query(text, p.statements[0]!.params as unknown[]); }
    if (k === 2) { const p = await mirror.prepare([{ sql: 'INSERT INTO se (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', params }]); await pgA.execute(p.statements[0]!.sql, p.statements[0]!.params); }
    if (i > 500) r[['rawAlone', 'rawMerged', 'adapterMerged'][k]!]!.push(performance.now() - s);
  }
}
for (const [k, v] of Object.entries(r)) console.log(k, p50(v));
await pgA.close(); await c.end();
