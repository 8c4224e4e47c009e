import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createDualWriteAdapter, outboxMirror } from '@switchyard/dual-write';
const pgA = createPostgresAdapter('postgres://postgres@127.0.0.1:5432/test');
await pgA.execute('DROP TABLE IF EXISTS sa, sc, _switchyard_outbox');
await pgA.execute('CREATE TABLE sa (id bigint primary key, name text, score float8, active bool, created_at timestamptz)');
await pgA.execute('CREATE TABLE sc (id bigint primary key, name text, score float8, active bool, created_at timestamptz)');
const dw = createDualWriteAdapter(pgA, createSQLiteAdapter(':memory:'), { secondaryWrites: 'async', mirror: outboxMirror(pgA) });
function p50(xs: number[]) { xs.sort((a, b) => a - b); return xs[Math.floor(xs.length / 2)]!.toFixed(4); }
const r: Record<string, number[]> = { alone: [], dual: [] };
for (let i = 1; i <= 4000; i++) {
  const params = [i, `user-${i}`, i * 0.5, i % 2 === 0, new Date(1_700_000_000_000 + i)];
  let s = performance.now();
  await pgA.execute('INSERT INTO sa (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', params);
  if (i > 500) r.alone!.push(performance.now() - s);
  s = performance.now();
  await dw.execute('INSERT INTO sc (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', params);
  if (i > 500) r.dual!.push(performance.now() - s);
}
for (const [k, v] of Object.entries(r)) console.log(k, p50(v));
await pgA.close();
