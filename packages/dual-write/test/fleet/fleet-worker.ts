/**
 * One app instance for the fleet tests and bench: a dual-write adapter (SQLite file and
 * Postgres) on a shared control table, writing until told to stop. Driven over IPC:
 * `{ cmd: 'switch' }`, `{ cmd: 'stop' }`, `{ cmd: 'report' }`, `{ cmd: 'close' }`.
 * Usage: fleet-worker.ts <sqlite path> <postgres url> <instance id> [refreshMs]
 */
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { controlTable, createDualWriteAdapter } from '../../src/index';

const [sqlitePath, url, instanceId, refreshArg] = process.argv.slice(2) as [string, string, string, string | undefined];
const postgres = createPostgresAdapter(url, { max: 4 });
const adapter = createDualWriteAdapter(createSQLiteAdapter(sqlitePath, { busyTimeout: 10_000 }), postgres, {
  control: { store: controlTable(postgres), instanceId, ...(refreshArg ? { refreshMs: Number(refreshArg) } : {}) },
  secondaryTimeoutMs: 10_000,
  // Processes do not share row locks: two instances updating one row can reach the
  // secondary in the other order; verification settles such a row from the primary.
  verifyWrites: process.env.FLEET_VERIFY !== '0',
});
const send = (message: unknown) => process.send!(message);

let running = true;
let seq = 0;
const inserted: number[] = [];
const failures: string[] = [];
/** Epoch and time each switch was seen here, for the bench. */
const seen: { epoch: number; at: number }[] = [];
adapter.on('control', (e) => e.change === 'active' && seen.push({ epoch: e.epoch, at: Date.now() }));
adapter.on('switch', () => seen.push({ epoch: adapter.getMetadata().control?.epoch ?? 0, at: Date.now() }));

async function loop(lane: number): Promise<void> {
  while (running) {
    const n = seq++;
    try {
      if (n % 3 === 2) {
        // Absolute values on a few hot rows every instance writes: order per row is what matters.
        await adapter.execute('UPDATE hot SET value = ?, by_instance = ? WHERE id = ?', [n, instanceId, n % 5]);
      } else {
        await adapter.execute('INSERT INTO events (instance, seq, lane) VALUES (?, ?, ?)', [instanceId, n, lane]);
        inserted.push(n);
      }
    } catch (error) {
      failures.push(`${n}: ${(error as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

let lanes: Promise<void>[] = [];
process.on('message', async (message: { cmd: string }) => {
  try {
    if (message.cmd === 'start') {
      await adapter.getMetadata();
      lanes = [0, 1, 2].map(loop);
      send({ started: true });
    } else if (message.cmd === 'switch') {
      const started = Date.now();
      const metadata = await adapter.switchPrimary();
      send({ switched: metadata.control?.epoch, mode: metadata.mode, at: started, ms: Date.now() - started });
    } else if (message.cmd === 'stop') {
      running = false;
      await Promise.all(lanes);
      send({ stopped: true, inserted, failures });
    } else if (message.cmd === 'report') {
      await adapter.replayJournal();
      send({
        report: adapter.getMetadata().control,
        metrics: adapter.getMetrics().control,
        mode: adapter.getMetadata().mode,
        seen,
        journal: adapter.getMetrics().journalDepth,
      });
    } else if (message.cmd === 'close') {
      await adapter.close();
      send({ closed: true });
      process.exit(0);
    }
  } catch (error) {
    send({ error: (error as Error).stack ?? String(error) });
  }
});
send({ ready: true });
