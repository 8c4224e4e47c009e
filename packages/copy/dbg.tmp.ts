import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit/postgres-server';
import { copyTables } from './src/index';
import { ITEMS_POSTGRES } from './test/fixtures';
const a = await createTestDatabase(); const b = await createTestDatabase();
const src = createPostgresAdapter(a.url); const dst = createPostgresAdapter(b.url);
await src.execute(ITEMS_POSTGRES); await dst.execute(ITEMS_POSTGRES);
await src.execute("INSERT INTO items (id, name) SELECT i, 'n' || i FROM generate_series(1, 30000) i");
await dst.execute("INSERT INTO items (id, name) VALUES (5, 'stale'), (7, 'stale')");
const r = await copyTables(src, dst, { onConflict: 'update', concurrency: Number(process.argv[2] ?? 3), batchSize: 4000, onProgress: (p) => console.log(p.rowsCopied) });
console.log(r.tables[0]);

console.log(await dst.query('SELECT min(id), max(id), count(*) FROM items GROUP BY (id-1)//4000 ORDER BY 1'.replace('//','/')));
await src.close(); await dst.close(); await a.drop(); await b.drop();
