import { Miniflare } from 'miniflare';
import { createD1Adapter } from '@switchyard/d1';
import { createDualWriteAdapter, outboxMirror } from '@switchyard/dual-write';
import { createSQLiteAdapter } from '@switchyard/sqlite';
const mf = new Miniflare({ modules: true, script: 'export default { fetch() { return new Response("ok") } }', d1Databases: { DB: 'x' }, d1Persist: false });
const db = await mf.getD1Database('DB');
const d1 = createD1Adapter(db);
for (const t of ['a', 'b', 'c', 'd']) await db.prepare(`CREATE TABLE ${t} (id INTEGER PRIMARY KEY, name TEXT, score REAL, active INTEGER, created_at TEXT)`).run();
await db.prepare('CREATE TABLE ob (seq INTEGER PRIMARY KEY AUTOINCREMENT, op_id TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL)').run();
const mirror = outboxMirror(d1); await mirror.ensureTable();
const dw = createDualWriteAdapter(d1, createSQLiteAdapter(':memory:'), { secondaryWrites: 'async', mirror });
function p50(xs: number[]) { xs.sort((a, b) => a - b); return xs[Math.floor(xs.length / 2)]!.toFixed(3); }
const r: Record<string, number[]> = { rawRun: [], rawBatch2: [], adapterExec: [], dual: [] };
const keys = Object.keys(r);
for (let i = 1; i <= 1500; i++) {
  const p = [i, `user-${i}`, i * 0.5, i % 2, '2024-01-01T00:00:00.000Z'];
  const payload = JSON.stringify({ v: 1, opId: '01M7YGMPV0M9H841J1XENAE2SH', statements: [{ sql: 'INSERT INTO b VALUES (?, ?, ?, ?, ?)', params: p }] });
  for (const k of [0, 1, 2, 3].sort(() => Math.random() - 0.5)) {
    const s = performance.now();
    if (k === 0) await db.prepare('INSERT INTO a VALUES (?, ?, ?, ?, ?)').bind(...p).run();
    if (k === 1) await db.batch([db.prepare('INSERT INTO b VALUES (?, ?, ?, ?, ?)').bind(...p), db.prepare('INSERT INTO ob (op_id, payload, created_at) VALUES (?, ?, ?)').bind('01M7YGMPV0M9H841J1XENAE2SH', payload, Date.now())]);
    if (k === 2) await d1.execute('INSERT INTO c VALUES (?, ?, ?, ?, ?)', p);
    if (k === 3) await dw.execute('INSERT INTO d VALUES (?, ?, ?, ?, ?)', p);
    if (i > 200) r[keys[k]!]!.push(performance.now() - s);
  }
}
for (const [k, v] of Object.entries(r)) console.log(k, p50(v));
await mf.dispose();
