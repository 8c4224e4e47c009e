import { expect, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { twoTestDatabases } from './two-databases';
import { cleanupAfterEach } from './open-side';

/**
 * Apps take an id first (`SELECT nextval('orders_id_seq')`) and insert with it. With reads
 * routed to the secondary, whose sequences replicated rows never move, that read answered
 * an id the primary had already given, and the insert failed on its key; a shadow read ran
 * the sequence on both sides. A read of the primary's session or state runs on the primary alone.
 */
const dbs = twoTestDatabases();
const cleanup = cleanupAfterEach();

it('nextval and friends are answered by the primary alone, whatever the read routing', async () => {
  const primary = createPostgresAdapter(dbs.database.url, { name: 'a' });
  const secondary = createPostgresAdapter(dbs.other.url, { name: 'b' });
  for (const side of [primary, secondary]) await side.execute('CREATE TABLE orders (id bigserial PRIMARY KEY, note text)');
  const app = createDualWriteAdapter(primary, secondary, { readRouting: { secondaryPercent: 100 }, shadowReads: { sampleRate: 1 } });
  cleanup(() => app.close());
  for (let i = 0; i < 3; i++) await app.execute('INSERT INTO orders (note) VALUES (?)', [`n${i}`]);

  const [taken] = await app.query<{ id: number }>("SELECT nextval('orders_id_seq') AS id");
  expect(Number(taken!.id)).toBe(4);
  await app.execute('INSERT INTO orders (id, note) VALUES (?, ?)', [taken!.id, 'by id']);
  const [first, second] = await app.batch([
    { sql: "SELECT nextval('orders_id_seq') AS id" },
    { sql: 'SELECT count(*)::int AS n FROM orders' },
  ]);
  expect(Number(first!.rows![0]!.id)).toBe(5);
  expect(second!.rows).toEqual([{ n: 4 }]);
  // Other reads still go where the routing says.
  expect(await app.query('SELECT count(*)::int AS n FROM orders')).toEqual([{ n: 4 }]);
  expect(app.getMetrics()).toMatchObject({ reads: { primary: 2, secondary: 1 }, shadowReads: 0, secondaryFailures: 0 });
  // The secondary's sequence was never asked.
  expect(await secondary.query('SELECT is_called FROM orders_id_seq')).toEqual([{ is_called: false }]);
  expect((await validateDatabases(primary, secondary, { validateAllRows: true, tables: ['orders'] })).ok).toBe(true);
});
