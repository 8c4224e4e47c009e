/**
 * One app instance of the several-processes test: a dual-write adapter with
 * `verifyWrites` and a journal table in the primary (or, in async mode, an outbox in it), and a few concurrent loops updating
 * the same hot rows as the other instances. Sends the parent the `n` it added to each row
 * (for the writes the primary acknowledged) and its metrics, then exits.
 * Run with: node --import tsx --conditions=@switchyard/source chaos-child.ts (settings in CHAOS_CHILD as JSON).
 */
import type { DatabaseAdapter } from '@switchyard/core';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { tableJournal } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';
import { outboxMirror } from '../src/mirror/index';
import { seededRandom } from './chaos-random';

export interface ChildSettings {
  /** `sqlite:<file>` or a postgres:// URL. */
  primary: string;
  secondary: string;
  seed: number;
  loops: number;
  writesPerLoop: number;
  rows: number;
  /** Async mode: writes go to an outbox in the primary, which the parent drains. */
  outbox?: boolean;
}

export interface ChildReport {
  added: Record<number, number>;
  acked: number;
  failed: string[];
  metrics: Record<string, unknown>;
  /** Secondary failures and journal replays this instance saw, by message. */
  events: Record<string, number>;
}

const settings = JSON.parse(process.env.CHAOS_CHILD!) as ChildSettings;
const primary: DatabaseAdapter = settings.primary.startsWith('sqlite:')
  ? createSQLiteAdapter(settings.primary.slice('sqlite:'.length), { name: 'primary' })
  : createPostgresAdapter(settings.primary, { name: 'primary', max: 4 });
const secondary = createPostgresAdapter(settings.secondary, { name: 'secondary', max: 4, queryTimeoutMs: 1_500, connectTimeoutMs: 1_000 });
const mode = settings.outbox ? { secondaryWrites: 'async' as const, mirror: outboxMirror(primary) } : { verifyWrites: true };
const dual = createDualWriteAdapter(primary, secondary, {
  ...mode,
  continueOnSecondaryFailure: true,
  journal: tableJournal(primary),
  secondaryTimeoutMs: 500,
  probeIntervalMs: 100,
  onEvent: (event) => {
    if (event.type !== 'secondary-failure' && event.type !== 'journal-replayed') return;
    const what =
      event.type === 'secondary-failure'
        ? `failure${event.deferred ? ' (deferred)' : ''}: ${event.error.message.slice(0, 90)}`
        : `replay: ${event.result.error ? `error ${event.result.error.message.slice(0, 90)}` : 'ok'}`;
    events[what] = (events[what] ?? 0) + 1;
  },
});
const events: Record<string, number> = {};

const added: Record<number, number> = {};
const failed: string[] = [];
let acked = 0;
const add = (into: Record<number, number>, id: number, by: number) => (into[id] = (into[id] ?? 0) + by);

async function loop(index: number): Promise<void> {
  const rnd = seededRandom(settings.seed * 97 + index);
  const hot = () => 1 + rnd.int(settings.rows);
  for (let i = 0; i < settings.writesPerLoop; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    const id = hot();
    const by = 1 + rnd.int(5);
    const tag = `p${process.pid}-${index}-${i}`;
    const roll = rnd.int(100);
    const mine: Record<number, number> = {};
    try {
      if (roll < 35) {
        await dual.execute('UPDATE shared SET n = n + ?, v = ? WHERE id = ?', [by, tag, id]);
        add(mine, id, by);
      } else if (roll < 55) {
        await dual.execute('UPDATE shared SET v = ?, w = ? WHERE id = ?', [tag, rnd.int(1000), id]);
      } else if (roll < 70) {
        await dual.execute(
          'INSERT INTO shared (id, n, v, w) VALUES (?, ?, ?, 0) ON CONFLICT (id) DO UPDATE SET n = shared.n + excluded.n, v = excluded.v',
          [id, by, tag],
        );
        add(mine, id, by);
      } else if (roll < 78) {
        const m = rnd.int(50);
        await dual.execute('UPDATE shared SET n = n + 1 WHERE id % 50 = ?', [m]);
        for (let r = 1; r <= settings.rows; r++) if (r % 50 === m) add(mine, r, 1);
      } else if (roll < 88 || !primary.capabilities.transactions) {
        const other = hot();
        await dual.batch([
          { sql: 'UPDATE shared SET n = n - 1, v = ? WHERE id = ?', params: [tag, id] },
          { sql: 'UPDATE shared SET n = n + 1, v = ? WHERE id = ?', params: [tag, other] },
        ]);
        add(mine, id, -1);
        add(mine, other, 1);
      } else {
        const other = hot();
        const rollBack = rnd.int(3) === 0;
        await dual
          .transaction(async (tx) => {
            await tx.execute('UPDATE shared SET n = n + ?, v = ? WHERE id = ?', [by, tag, id]);
            await tx.execute('UPDATE shared SET w = w + 1 WHERE id = ?', [other]);
            if (rollBack) throw new Error('roll back');
          })
          .then(
            () => add(mine, id, by),
            (error: unknown) => {
              if (!rollBack) throw error;
            },
          );
      }
      for (const [row, by] of Object.entries(mine)) add(added, Number(row), by);
      acked++;
    } catch (error) {
      // Refused by the primary (a busy SQLite file, a Postgres deadlock): nothing was written.
      failed.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  }
}

// Ready: wait for the parent's go, so every instance writes while the faults happen.
await dual.introspect();
process.send!({ ready: true });
await new Promise((resolve) => process.once('message', resolve));
await Promise.all(Array.from({ length: settings.loops }, (_, i) => loop(i)));
const metrics = JSON.parse(JSON.stringify(dual.getMetrics(), (_, v) => (typeof v === 'bigint' ? String(v) : v))) as Record<string, unknown>;
const report: ChildReport = { added, acked, failed, metrics, events };
process.send!({ report });
// As an app instance stops: writes abandoned on the way may still land, so their rows go
// back in the journal table, where entries stay for the next instance to replay.
await dual.close().catch(() => {});
process.disconnect?.();
