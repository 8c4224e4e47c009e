import { afterEach } from 'vitest';
import { createD1Adapter } from '@switchyard/d1';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createTestDatabase, type TestDatabase } from '@switchyard/testkit';
import { createTestD1 } from '@switchyard/testkit/d1';
import { proxiedPostgres, type ChaosPair } from './chaos-run';

const cleanups: (() => Promise<unknown>)[] = [];
// After each test, in the reverse order of their making: adapters close before their databases drop.
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** Runs `fns` after the current test. */
export function onCleanup(...fns: (() => Promise<unknown>)[]): void {
  cleanups.push(...fns);
}

/** An adapter closed after the current test. */
export function closing<T extends { close(): Promise<unknown> }>(adapter: T): T {
  onCleanup(() => adapter.close());
  return adapter;
}

/** A new Postgres database, dropped after the current test. */
export async function testDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  onCleanup(() => db.drop());
  return db;
}

/** A Postgres secondary behind a fault proxy, and the same database reached directly for the checks at the end. */
export async function proxiedSecondary(
  url: string,
  name: string,
): Promise<Required<Pick<ChaosPair, 'secondary' | 'secondaryDirect' | 'proxy'>>> {
  const { adapter: secondary, proxy } = await proxiedPostgres(url, name);
  const secondaryDirect = createPostgresAdapter(url, { name, max: 2 });
  onCleanup(
    () => secondary.close(),
    () => proxy.close(),
    () => secondaryDirect.close(),
  );
  return { secondary, secondaryDirect, proxy };
}

/** A D1 primary (Miniflare, batches only) and a Postgres secondary behind a fault proxy. */
export async function d1ToProxiedPostgres(): Promise<ChaosPair> {
  const [d1, db] = await Promise.all([createTestD1(), testDatabase()]);
  onCleanup(() => d1.dispose());
  return { primary: createD1Adapter(d1.binding), ...(await proxiedSecondary(db.url, 'postgres')), transactions: false };
}
