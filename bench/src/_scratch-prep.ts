import { createPostgresAdapter } from '@switchyard/postgres';
import { outboxMirror } from '@switchyard/dual-write';
import { statementKind } from '@switchyard/core';
const pgA = createPostgresAdapter('postgres://postgres@127.0.0.1:5432/test');
const m = outboxMirror(pgA); await m.ensureTable();
const sql = 'INSERT INTO sc (id, name, score, active, created_at) VALUES (?, ?, ?, ?, ?)';
for (let round = 0; round < 3; round++) {
let s = performance.now();
for (let i = 0; i < 20000; i++) await m.prepare([{ sql, params: [i, `user-${i}`, i * 0.5, i % 2 === 0, new Date(1_700_000_000_000 + i)] }]);
console.log('prepare us', ((performance.now() - s) / 20000 * 1000).toFixed(2));
s = performance.now();
for (let i = 0; i < 20000; i++) statementKind(sql);
console.log('kind us', ((performance.now() - s) / 20000 * 1000).toFixed(2));
}
await pgA.close();
