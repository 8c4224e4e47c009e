import { InvalidArgumentError, isSwitchyardTable, quoteIdentifier, type DatabaseAdapter } from '@switchyard/core';
import type { ControlState, ControlStore, InstanceHeartbeat } from './control-types';
import { executeKeepingSession } from '../_internal/sqlite-session-state';

/** Options of {@link controlTable}. */
export interface ControlTableOptions {
  /** The record's table; must start with `_switchyard_`. Default `'_switchyard_control'`. Heartbeats go to `<table>_instances`. */
  table?: string;
}

/**
 * A {@link ControlStore} kept in two small tables of a database the app already has
 * (either side of the pair, or a third one): one row holding mode, epoch and state, and
 * one row per instance's heartbeat. Works on SQLite, D1 and Postgres; validation and
 * copies leave the tables out (their names start with `_switchyard_`).
 *
 * @example
 * ```ts
 * const adapter = createDualWriteAdapter(sqlite, postgres, { control: controlTable(postgres) });
 * ```
 */
export function controlTable(adapter: DatabaseAdapter, options: ControlTableOptions = {}): ControlStore {
  const name = options.table ?? '_switchyard_control';
  if (!isSwitchyardTable(name)) {
    throw new InvalidArgumentError(
      `The control table's name must start with _switchyard_ (got ${JSON.stringify(name)}), so validation and copies leave it out.`,
    );
  }
  const q = quoteIdentifier;
  const record = q(name);
  const beats = q(`${name}_instances`);
  let created: Promise<void> | undefined;
  const ensure = (): Promise<void> => {
    created ??= createTables().catch((error: unknown) => {
      created = undefined;
      throw error;
    });
    return created;
  };
  const createTables = async (): Promise<void> => {
    const ddl = [
      `CREATE TABLE IF NOT EXISTS ${record} (id INTEGER PRIMARY KEY, epoch INTEGER NOT NULL, mode TEXT NOT NULL, state TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT)`,
      `CREATE TABLE IF NOT EXISTS ${beats} (instance_id TEXT PRIMARY KEY, epoch INTEGER NOT NULL, mode TEXT NOT NULL, paused INTEGER NOT NULL, last_seen BIGINT NOT NULL)`,
    ];
    for (const sql of ddl) {
      // Two instances starting at once may race on Postgres's catalog; the second try sees the table.
      await adapter.execute(sql).catch(() => adapter.execute(sql));
    }
  };
  return {
    kind: `table:${name}@${adapter.name}`,
    async read() {
      await ensure();
      const row = await adapter.first<Record<string, unknown>>(
        `SELECT epoch, mode, state, updated_at, updated_by FROM ${record} WHERE id = 1`,
      );
      if (!row) return null;
      const state: ControlState = {
        epoch: Number(row.epoch),
        mode: String(row.mode) as ControlState['mode'],
        state: row.state === 'switching' ? 'switching' : 'active',
        updatedAt: String(row.updated_at),
      };
      if (row.updated_by != null) state.by = String(row.updated_by);
      return state;
    },
    async compareAndSet(expected, next) {
      await ensure();
      const values = [next.epoch, next.mode, next.state, next.updatedAt, next.by ?? null];
      // A switch may come between two of the app's calls on a shared better-sqlite3 connection, as a heartbeat does.
      const result = await executeKeepingSession(
        adapter,
        expected
          ? {
              sql: `UPDATE ${record} SET epoch = ?, mode = ?, state = ?, updated_at = ?, updated_by = ? WHERE id = 1 AND epoch = ? AND state = ?`,
              params: [...values, expected.epoch, expected.state],
            }
          : {
              sql: `INSERT INTO ${record} (id, epoch, mode, state, updated_at, updated_by) VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
              params: values,
            },
      );
      return result.rowsAffected === 1;
    },
    async heartbeat(beat) {
      await ensure();
      // A heartbeat comes on a timer, between two of the app's calls on a shared better-sqlite3 connection.
      await executeKeepingSession(adapter, {
        sql:
          `INSERT INTO ${beats} (instance_id, epoch, mode, paused, last_seen) VALUES (?, ?, ?, ?, ?) ` +
          'ON CONFLICT (instance_id) DO UPDATE SET epoch = excluded.epoch, mode = excluded.mode, paused = excluded.paused, last_seen = excluded.last_seen',
        params: [beat.instanceId, beat.epoch, beat.mode, beat.paused ? 1 : 0, beat.lastSeen.getTime()],
      });
    },
    async instances() {
      await ensure();
      const rows = await adapter.query<Record<string, unknown>>(
        `SELECT instance_id, epoch, mode, paused, last_seen FROM ${beats} ORDER BY instance_id`,
      );
      return rows.map((r): InstanceHeartbeat => ({
        instanceId: String(r.instance_id),
        epoch: Number(r.epoch),
        mode: String(r.mode),
        paused: Number(r.paused) === 1,
        lastSeen: new Date(Number(r.last_seen)),
      }));
    },
  };
}
