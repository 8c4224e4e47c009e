import { createPostgresAdapter } from '@switchyard/postgres';
import { outboxMirror } from '@switchyard/dual-write';
const url = 'postgres://postgres@127.0.0.1:5432/test';
const pgA = createPostgresAdapter(url);
await pgA.execute('DROP TABLE IF EXISTS se');
await pgA.execute(`CREATE TABLE se (id bigint primary key, name text, score float8, active bool, created_at timestamptz)`);
const mirror = outboxMirror(pgA); await mirror.ensureTable();
for (let i = 1; i <= 8000; i++) {
  const params = [i, `user-${i}`, i * 0.5, i % 2 === 0, new Date(1_700_000_000_000 + i)];
  const p = await mirror.prepare([{ sql: 'INSERT INTO se (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)', params }]); await pgA.execute(p.statements[0]!.sql, p.statements[0]!.params);
}
await pgA.close();
