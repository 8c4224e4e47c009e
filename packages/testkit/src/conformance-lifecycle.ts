import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context';
import { expectError } from './_internal/expect-error';
import { rowCount } from './_internal/conformance-probes';
import { ddl } from './schema-ddl';

/**
 * Conformance checks: the adapter's identity, concurrent use, and use after close(). Registers a `describe` block; {@link runAdapterConformance} calls it with the suite's context.
 *
 * @example
 * ```ts
 * lifecycleConformance(createConformanceContext(adapter, { name: 'sqlite', create }));
 * ```
 */
export function lifecycleConformance(ctx: ConformanceContext): void {
  describe('lifecycle', () => {
    const { adapter } = ctx;

    it('describes itself: name, dialect and capabilities', () => {
      expect(typeof adapter.name).toBe('string');
      expect(adapter.name.length).toBeGreaterThan(0);
      expect(['sqlite', 'd1', 'postgres']).toContain(adapter.dialect);
      const c = adapter.capabilities;
      expect(typeof c.transactions).toBe('boolean');
      expect(typeof c.returning).toBe('boolean');
      expect(typeof c.exactInt64).toBe('boolean');
      expect(Number.isInteger(c.maxBoundParameters) && c.maxBoundParameters > 0).toBe(true);
      if (c.maxStatementBytes !== undefined) expect(c.maxStatementBytes).toBeGreaterThan(0);
      expect(adapter.db).toBeDefined();
    });

    it('fences nothing when it gave up on no connection (fenceAbandoned, where the engine has it)', async () => {
      // Optional: an engine whose statements cannot outlive their call has nothing to fence.
      if (adapter.fenceAbandoned) expect(await adapter.fenceAbandoned()).toBe(0);
      expect(await adapter.first<{ n: number }>('SELECT 1 AS n')).toMatchObject({ n: expect.anything() });
    });

    it('returns the same results for a text it keeps prepared (keepPrepared, where the engine has it)', async () => {
      const table = ctx.table('kept');
      await adapter.execute(ddl(adapter, `CREATE TABLE ${table} (id {integer} PRIMARY KEY, name {text})`));
      const insert = `INSERT INTO ${table} (id, name) VALUES (?, ?)`;
      adapter.keepPrepared?.(insert);
      for (let id = 1; id <= 3; id++) expect((await adapter.execute(insert, [id, `n${id}`])).rowsAffected).toBe(1);
      expect(await adapter.query(`SELECT id, name FROM ${table} ORDER BY id`)).toEqual([1, 2, 3].map((id) => ({ id, name: `n${id}` })));
    });

    it('runs 50 concurrent inserts on one adapter', async () => {
      const table = ctx.table('concurrent');
      await adapter.execute(ddl(adapter, `CREATE TABLE ${table} (id {integer} PRIMARY KEY, name {text})`));
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => adapter.execute(`INSERT INTO ${table} (id, name) VALUES (?, ?)`, [i, `n${i}`])),
      );
      expect(await rowCount(adapter, table)).toBe('50');
    });

    it('runs concurrent reads, writes and batches on one adapter', async () => {
      const table = ctx.table('mixed');
      await adapter.execute(ddl(adapter, `CREATE TABLE ${table} (id {integer} PRIMARY KEY, name {text})`));
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 20; i++) {
        work.push(
          adapter.batch([
            { sql: `INSERT INTO ${table} (id, name) VALUES (?, ?)`, params: [i * 2, 'a'] },
            { sql: `INSERT INTO ${table} (id, name) VALUES (?, ?)`, params: [i * 2 + 1, 'b'] },
          ]),
        );
        work.push(adapter.query(`SELECT COUNT(*) AS n FROM ${table}`));
      }
      await Promise.all(work);
      expect(await rowCount(adapter, table)).toBe('40');
    });

    it('gives an AdapterClosedError for every call after close()', async () => {
      await ctx.withFreshAdapter(async (fresh) => {
        expect(await fresh.first<{ one: unknown }>('SELECT 1 AS one')).toEqual({ one: 1 });
        await fresh.close();
        await fresh.close(); // closing twice is harmless
        await expectError(fresh.query('SELECT 1 AS one'), 'AdapterClosedError');
        await expectError(fresh.first('SELECT 1 AS one'), 'AdapterClosedError');
        await expectError(fresh.execute('SELECT 1 AS one'), 'AdapterClosedError');
        await expectError(fresh.batch([{ sql: 'SELECT 1 AS one' }]), 'AdapterClosedError');
        await expectError(fresh.prepare('SELECT 1 AS one').all(), 'AdapterClosedError');
        await expectError(
          fresh.transaction(async () => undefined),
          'AdapterClosedError',
        );
        await expectError(fresh.introspect(), 'AdapterClosedError');
        await expectError(fresh.db.selectFrom('anything').selectAll().execute(), 'AdapterClosedError');
        const error = await expectError<Error>(fresh.query('SELECT 1 AS one'), 'AdapterClosedError');
        expect(error.message).toMatch(/close/);
      });
    });
  });
}
