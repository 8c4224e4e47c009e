import { afterEach, describe, expect, it } from 'vitest';
import { validateDatabases } from '@switchyard/validation';
import { createDualWriteAdapter } from './patient-dual-write';
import { TABLES } from './cascade-workload';
import { faultedCascadeSides, type Opened } from './faulted-cascade-sides';
import { replayUntilEmpty } from './replay-until-empty';

// Chains of key moves and renames journaled while the secondary (Postgres behind a fault
// proxy, without the primary's foreign keys) did not answer, over rows it already held.
// The replay settles each entry from the primary's current rows, so an early entry can
// remove the secondary's row under an old value before a later one would have shown which
// rows referenced it; the replay then settles the rows left referencing nothing there.

const open: Opened[] = [];
// Long enough that a busy machine never turns a slow statement into an outage; the faults here are the proxy's.
const secondaryTimeoutMs = 2_000;
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => {});
});

async function pair(from: 'sqlite' | 'postgres') {
  const sides = await faultedCascadeSides(from, false, open);
  const dual = createDualWriteAdapter(sides.primary, sides.secondary, { continueOnSecondaryFailure: true, secondaryTimeoutMs });
  open.push(dual);
  return { ...sides, dual };
}

for (const from of ['sqlite', 'postgres'] as const) {
  describe(`${from} -> postgres without the foreign keys on the secondary`, () => {
    it('rows under values a journaled chain of moves and renames left behind are settled on replay', async () => {
      const { primary, secondary, proxy, dual } = await pair(from);
      await dual.execute("INSERT INTO acct (id, code) VALUES (1, 'c1'), (2, 'c2')");
      await dual.execute("INSERT INTO item (id, acct_id, acct_code, n) VALUES (10, 1, 'c1', 0), (11, 2, 'c2', 0)");
      await dual.execute("INSERT INTO slot (acct_code, k) VALUES ('c1', 0), ('c1', 1), ('c2', 0)");
      await dual.execute(
        "INSERT INTO note (id, item_id, slot_code, slot_k) VALUES (20, 10, 'c1', 0), (21, 11, 'c1', 1), (22, 11, 'c2', 0)",
      );
      expect(dual.getMetrics().journalDepth).toBe(0);
      proxy.setMode('refuse');
      await dual.execute("UPDATE acct SET code = 'c3' WHERE id = 1");
      await dual.execute('UPDATE acct SET id = 5 WHERE id = 1');
      await dual.execute("UPDATE acct SET code = 'c4' WHERE id = 5");
      await dual.execute('UPDATE acct SET id = 6 WHERE id = 5');
      await dual.transaction(async (tx) => {
        await tx.execute("UPDATE acct SET code = 't7' WHERE id = 2");
        await tx.execute('UPDATE acct SET id = 7 WHERE id = 2');
      });
      await dual.execute("UPDATE acct SET code = 'c8' WHERE id = 7");
      expect(dual.getMetrics().journalDepth).toBeGreaterThan(0);
      proxy.setMode('pass');
      // A replay that meets a pooled connection the proxy closed fails as an outage; the next one goes on.
      await replayUntilEmpty(dual);
      const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
      expect(report.ok, report.summary).toBe(true);
      expect(await secondary.query('SELECT id, slot_code, slot_k FROM note ORDER BY id')).toEqual([
        { id: 20, slot_code: 'c4', slot_k: 0 },
        { id: 21, slot_code: 'c4', slot_k: 1 },
        { id: 22, slot_code: 'c8', slot_k: 0 },
      ]);
    });

    it('a row the secondary still holds under a value no parent there holds is settled from the primary, and the rows below it', async () => {
      const { primary, secondary, proxy, dual } = await pair(from);
      await dual.execute("INSERT INTO acct (id, code) VALUES (1, 'c1')");
      await dual.execute("INSERT INTO slot (acct_code, k) VALUES ('c1', 0)");
      // What such a chain left behind: a slot under a code no account holds, a note under it,
      // and a slot the primary holds under a code it has since renamed.
      await secondary.execute("INSERT INTO slot (acct_code, k) VALUES ('gone', 3), ('c0', 4)");
      await secondary.execute("INSERT INTO note (id, item_id, slot_code, slot_k) VALUES (30, NULL, 'gone', 3)");
      await primary.execute("INSERT INTO slot (acct_code, k) VALUES ('c1', 4)");
      proxy.setMode('refuse');
      await dual.execute("UPDATE acct SET code = 'c2' WHERE id = 1");
      expect(dual.getMetrics().journalDepth).toBeGreaterThan(0);
      proxy.setMode('pass');
      await replayUntilEmpty(dual);
      expect(await secondary.query('SELECT acct_code, k FROM slot ORDER BY k')).toEqual([
        { acct_code: 'c2', k: 0 },
        { acct_code: 'c2', k: 4 },
      ]);
      expect(await secondary.query('SELECT id FROM note')).toEqual([]);
      const report = await validateDatabases(primary, secondary, { tables: TABLES, validateAllRows: true });
      expect(report.ok, report.summary).toBe(true);
    });

    it('a replay cut off by an outage after settling such rows leaves their sweep to the next replay', async () => {
      const { primary, secondary, proxy } = await pair(from);
      for (const side of [primary, secondary]) await side.execute('CREATE TABLE audit_log (msg text)');
      // The secondary hangs as the replay reaches the keyless table's entry, after the rename's.
      let armed = false;
      const hanging = new Proxy(secondary, {
        get(target, key, receiver) {
          // Bound to the adapter itself: its private fields are not the proxy's.
          const value = Reflect.get(target, key, receiver) as unknown;
          if (key !== 'execute') return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
          return (sql: string, params?: unknown[]) => {
            if (armed && sql.includes('audit_log')) proxy.setMode('hang');
            return target.execute(sql, params);
          };
        },
      });
      const dual = createDualWriteAdapter(primary, hanging, { continueOnSecondaryFailure: true, secondaryTimeoutMs });
      open.push(dual);
      await dual.execute("INSERT INTO acct (id, code) VALUES (1, 'c1')");
      await secondary.execute("INSERT INTO slot (acct_code, k) VALUES ('gone', 3)");
      proxy.setMode('refuse');
      await dual.execute("UPDATE acct SET code = 'c2' WHERE id = 1");
      await dual.execute("INSERT INTO audit_log (msg) VALUES ('renamed')");
      proxy.setMode('pass');
      armed = true;
      const cut = await dual.replayJournal();
      expect(cut).toMatchObject({ applied: 1, remaining: 1 });
      armed = false;
      proxy.setMode('pass');
      proxy.killConnections();
      // The pool hears of its closed connections a moment later; a query sent before would meet one.
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Only the keyless table's entry is left; the slot under no account is settled all the same.
      const next = await dual.replayJournal();
      expect(next.error).toBeUndefined();
      expect(next).toMatchObject({ applied: 1, remaining: 0 });
      expect(await secondary.query('SELECT acct_code, k FROM slot ORDER BY k')).toEqual([]);
      const report = await validateDatabases(primary, secondary, {
        tables: [...TABLES, 'audit_log'],
        keyColumns: { audit_log: ['msg'] },
        validateAllRows: true,
      });
      expect(report.ok, report.summary).toBe(true);
    });
  });
}
