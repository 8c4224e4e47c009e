import { describe, it } from 'vitest';
import { createPostgresAdapter } from '@switchyard/postgres';
import { closing, proxiedSecondary, testDatabase } from './chaos-pairs';
import { runChaos } from './chaos-run';

describe('randomized dual write with faults: Postgres -> Postgres', () => {
  it('16 writers on a pg pool, faults on the secondary, journal replayed: both sides equal the model', { timeout: 240_000 }, async () => {
    const [a, b] = await Promise.all([testDatabase(), testDatabase()]);
    const primary = closing(createPostgresAdapter(a.url, { name: 'left', max: 8 }));
    await runChaos({ primary, ...(await proxiedSecondary(b.url, 'right')), transactions: true });
  });
});
