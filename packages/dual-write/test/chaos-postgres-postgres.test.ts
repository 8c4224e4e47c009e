import { afterEach, describe, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase } from '@switchyard/testkit';
import { proxiedPostgres, runChaos } from './chaos-run';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

describe('randomized dual write with faults: Postgres -> Postgres', () => {
  it('16 writers on a pg pool, faults on the secondary, journal replayed: both sides equal the model', { timeout: 240_000 }, async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    cleanups.push(
      () => a.drop(),
      () => b.drop(),
    );
    const primary = createPostgresAdapter(a.url, { name: 'left', max: 8 });
    const { adapter: secondary, proxy } = await proxiedPostgres(b.url, 'right');
    const secondaryDirect = createPostgresAdapter(b.url, { name: 'right', max: 2 });
    cleanups.push(
      () => primary.close(),
      () => secondary.close(),
      () => proxy.close(),
      () => secondaryDirect.close(),
    );
    await runChaos({ primary, secondary, secondaryDirect, proxy, transactions: true });
  });
});
