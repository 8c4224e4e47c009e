import { afterEach, describe, it } from 'vitest';
import { createD1Adapter } from '@switchyard/d1';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase } from '@switchyard/testkit';
import { createTestD1 } from '@switchyard/testkit/d1';
import { chaosSize, proxiedPostgres, runChaos } from './chaos-run';

// Each D1 call crosses into workerd: fewer writes per writer keep the file well under a minute.
const SIZE = chaosSize(10);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

describe('randomized dual write with D1 (Miniflare)', () => {
  it('SQLite -> D1: 16 writers, both sides equal the model', { timeout: 240_000 }, async () => {
    const d1 = await createTestD1();
    cleanups.push(() => d1.dispose());
    const primary = createSQLiteAdapter(':memory:');
    cleanups.push(() => primary.close());
    await runChaos({ primary, secondary: createD1Adapter(d1.binding), transactions: true }, SIZE);
  });

  it('D1 -> Postgres: 16 writers with batches (D1 has no interactive transactions), faults on Postgres', { timeout: 240_000 }, async () => {
    const [d1, db] = await Promise.all([createTestD1(), createTestDatabase()]);
    cleanups.push(
      () => d1.dispose(),
      () => db.drop(),
    );
    const { adapter: secondary, proxy } = await proxiedPostgres(db.url, 'postgres');
    const secondaryDirect = createPostgresAdapter(db.url, { max: 2 });
    cleanups.push(
      () => secondary.close(),
      () => proxy.close(),
      () => secondaryDirect.close(),
    );
    await runChaos({ primary: createD1Adapter(d1.binding), secondary, secondaryDirect, proxy, transactions: false }, chaosSize(8));
  });
});
