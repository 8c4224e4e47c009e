import pg from 'pg';
const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' }); await c.connect();
await c.query('DROP TABLE IF EXISTS sa, sb, sob');
await c.query('CREATE TABLE sa (id bigint primary key, name text, score float8, active bool, created_at timestamptz)');
await c.query('CREATE TABLE sb (id bigint primary key, name text, score float8, active bool, created_at timestamptz)');
await c.query('CREATE TABLE sob (seq BIGSERIAL PRIMARY KEY, op_id TEXT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL)');
function p50(xs: number[]) { xs.sort((a, b) => a - b); return xs[Math.floor(xs.length / 2)]!.toFixed(4); }
const N = 3000;
const results: Record<string, number[]> = { alone: [], cte: [], tx: [] };
let id = 0;
for (let i = 0; i < N; i++) {
  id++;
  const params = [id, `user-${id}`, id * 0.5, id % 2 === 0, new Date()];
  const payload = JSON.stringify({ s: [{ sql: 'INSERT INTO sb (id, name, score, active, created_at) VALUES ($1,$2,$3,$4,$5)', params }] });
  let s = performance.now();
  await c.query('INSERT INTO sa (id, name, score, active, created_at) VALUES ($1,$2,$3,$4,$5)', params);
  results.alone!.push(performance.now() - s);
  s = performance.now();
  await c.query('WITH e AS (INSERT INTO sob (op_id, payload, created_at) VALUES ($6,$7,$8)) INSERT INTO sb (id, name, score, active, created_at) VALUES ($1,$2,$3,$4,$5)', [...params, '01JD7Q3M5X9K2V8H4T6R0N1B3C', payload, Date.now()]);
  results.cte!.push(performance.now() - s);
}
for (const [k, v] of Object.entries(results)) if (v.length) console.log(k, p50(v));
console.log((await c.query("select current_setting('synchronous_commit') sc, current_setting('fsync') f")).rows);
await c.end();
