import { describe, it } from 'vitest';
import { createD1Adapter } from '@switchyard/d1';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestD1 } from '@switchyard/testkit/d1';
import { closing, d1ToProxiedPostgres, onCleanup } from './chaos-pairs';
import { chaosSize, runChaos } from './chaos-run';

// Each D1 call crosses into workerd: fewer writes per writer keep the file well under a minute.
const SIZE = chaosSize(10);

describe('randomized dual write with D1 (Miniflare)', () => {
  it('SQLite -> D1: 16 writers, both sides equal the model', { timeout: 240_000 }, async () => {
    const d1 = await createTestD1();
    onCleanup(() => d1.dispose());
    const primary = closing(createSQLiteAdapter(':memory:'));
    await runChaos({ primary, secondary: createD1Adapter(d1.binding), transactions: true }, SIZE);
  });

  it('D1 -> Postgres: 16 writers with batches (D1 has no interactive transactions), faults on Postgres', { timeout: 240_000 }, async () => {
    await runChaos(await d1ToProxiedPostgres(), chaosSize(8));
  });
});
