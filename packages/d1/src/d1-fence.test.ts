import { createTestD1, startD1RestServer } from '@switchyard/testkit/d1';
import { describe, expect, it } from 'vitest';
import { createD1Adapter } from './index';

// D1 cannot end a request once it is sent: the fence waits until every request sent
// before it has ended, so a write its caller stopped waiting for has run (or never will)
// by the time the fence returns.
describe('fenceAbandoned() on D1', () => {
  it('over the REST API, returns only once a write still on its way has run', async () => {
    const server = await startD1RestServer();
    const adapter = createD1Adapter({ ...server, baseUrl: server.url });
    try {
      await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
      expect(await adapter.fenceAbandoned()).toBe(0);
      server.delayNext(1, 600);
      // The caller stops waiting, as dual write does at its secondaryTimeoutMs.
      const abandoned = adapter.execute('INSERT INTO t (id, n) VALUES (1, 1)');
      const started = performance.now();
      expect(await adapter.fenceAbandoned()).toBe(1);
      expect(performance.now() - started).toBeGreaterThanOrEqual(500);
      expect((await server.binding.prepare('SELECT id, n FROM t').all()).results).toEqual([{ id: 1, n: 1 }]);
      await abandoned;
      // Requests sent after the fence began are not waited for: none is on its way now.
      expect(await adapter.fenceAbandoned()).toBe(0);
    } finally {
      await adapter.close();
      await server.close();
    }
  });

  it('waits for a failed request too, and through a binding', async () => {
    const d1 = await createTestD1();
    const adapter = createD1Adapter(d1.binding);
    try {
      const failing = adapter.execute('INSERT INTO missing (id) VALUES (1)').catch((error: unknown) => error);
      const written = adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      expect(await adapter.fenceAbandoned()).toBe(2);
      expect(await failing).toBeInstanceOf(Error);
      await written;
      await adapter.close();
      await expect(adapter.fenceAbandoned()).rejects.toThrow(/closed/);
    } finally {
      await d1.dispose();
    }
  });
});
