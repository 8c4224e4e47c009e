import type { DatabaseAdapter } from '@switchyard/core';
import { ExitCode } from '../cli-error';
import type { CliStream, CommandDefinition } from '../command-types';
import { expectPositionals, intFlag } from '../_internal/args-parse';
import { withConnections } from '../_internal/connections-use';
import { fmt, progressLine } from '../_internal/progress-view';
import { fleetLines, readFleet, type FleetView } from '../_internal/fleet-view';

/** The table `copyTables` keeps its progress in, in the target. */
export const CHECKPOINT_TABLE = '_switchyard_checkpoints';

const HELP = `Usage: switchyard status <target> [<source>] [flags]

Shows how far a copy into <target> has come, from the ${CHECKPOINT_TABLE} table
that \`switchyard copy\` keeps there: per table, key ranges done, rows copied, failed
ranges with their error, and the workers holding ranges. Give <source> as well to see
a percentage against its row counts.

When <target> holds a dual-write control record (_switchyard_control), it also shows
the fleet: the epoch and mode, and every instance's heartbeat (epoch seen, last seen),
and whether all live instances are on the current epoch.

Flags:
  --json          Print the table states as JSON ({ copy, fleet } when there is a control record)
  --live-ms <n>   An instance seen within this many ms counts as live (default 3000)
  -h, --help      Show this help

Exit codes: 0 every range done and every live instance on the current epoch,
1 ranges still pending or failed, or instances behind, 2 error.

Examples:
  switchyard status postgres://app@localhost/app
  switchyard status postgres://app@localhost/app sqlite:./app.db
`;

/** One table's checkpoint state. */
export interface TableCheckpoint {
  table: string;
  ranges: number;
  done: number;
  running: number;
  failed: number;
  rowsCopied: number;
  sourceRows?: number;
  workers: string[];
  errors: string[];
  updatedAt: string;
}

/** Reads `_switchyard_checkpoints` of a copy target, summed per table. */
export async function readCheckpoints(target: DatabaseAdapter): Promise<TableCheckpoint[] | undefined> {
  const tables = await target.introspect();
  if (!tables.some((t) => t.name === CHECKPOINT_TABLE)) return undefined;
  const rows = await target.query<Record<string, unknown>>(`SELECT * FROM "${CHECKPOINT_TABLE}" ORDER BY table_name, range_id`);
  const byTable = new Map<string, TableCheckpoint>();
  for (const row of rows) {
    const table = String(row.table_name);
    const entry =
      byTable.get(table) ??
      ({
        table,
        ranges: 0,
        done: 0,
        running: 0,
        failed: 0,
        rowsCopied: 0,
        workers: [],
        errors: [],
        updatedAt: '',
      } satisfies TableCheckpoint);
    entry.ranges++;
    if (row.status === 'done') entry.done++;
    if (row.status === 'running') entry.running++;
    if (row.status === 'failed') entry.failed++;
    entry.rowsCopied += Number(row.rows_copied ?? 0);
    if (row.worker && row.status === 'running' && !entry.workers.includes(String(row.worker))) entry.workers.push(String(row.worker));
    if (row.error) entry.errors.push(`range ${String(row.range_id)}: ${String(row.error)}`);
    if (String(row.updated_at) > entry.updatedAt) entry.updatedAt = String(row.updated_at);
    byTable.set(table, entry);
  }
  return [...byTable.values()];
}

/** `switchyard status`: checkpoint progress of a copy. */
export const statusCommand: CommandDefinition = {
  name: 'status',
  summary: 'Show the progress of a copy, from its checkpoints in the target',
  help: HELP,
  options: { json: { type: 'boolean' }, 'live-ms': { type: 'string' } },
  async run(args, io) {
    const [target, source] = expectPositionals(args, ['<target>', '[<source>]'], 'status', 1);
    const connections = [{ value: target!, role: '<target>' }, ...(source ? [{ value: source, role: '<source>' }] : [])];
    return withConnections(io, connections, async ([to, from]) => {
      const fleet = await readFleet(to!, intFlag(args.values['live-ms'], 'live-ms', 'status', { min: 1, max: 86_400_000 }) ?? 3000);
      const states = await readCheckpoints(to!);
      if (fleet) return showFleet(fleet, states ?? [], Boolean(args.values.json), io);
      if (!states) {
        io.stdout.write(args.values.json ? '[]\n' : `No copy has run into this target yet (it has no ${CHECKPOINT_TABLE} table).\n`);
        return ExitCode.mismatch;
      }
      if (from) {
        for (const s of states) {
          const row = await from.first<{ n: unknown }>(`SELECT count(*) AS n FROM "${s.table.replace(/"/g, '""')}"`).catch(() => undefined);
          if (row) s.sourceRows = Number(row.n);
        }
      }
      if (args.values.json) io.stdout.write(JSON.stringify(states, null, 2) + '\n');
      else {
        const width = Math.max(8, ...states.map((s) => s.table.length));
        for (const s of states) {
          const complete = s.done === s.ranges;
          const line =
            s.sourceRows !== undefined
              ? progressLine(
                  { table: s.table, rowsCopied: s.rowsCopied, totalRows: s.sourceRows, rowsPerSecond: 0, etaMs: undefined },
                  width,
                  complete,
                ).replace(/\s+0 rows\/s/, '')
              : `${s.table.padEnd(width)} ${fmt(s.rowsCopied)} rows copied`;
          const state = complete ? 'done' : s.failed ? `${s.failed} failed` : s.running ? `${s.running} running` : 'pending';
          io.stdout.write(`${line}  ranges ${s.done}/${s.ranges} done (${state}), last update ${s.updatedAt}\n`);
          if (s.workers.length) io.stdout.write(`  workers: ${s.workers.join(', ')}\n`);
          for (const e of s.errors) io.stdout.write(`  ${e}\n`);
        }
      }
      return states.every((s) => s.done === s.ranges) ? ExitCode.ok : ExitCode.mismatch;
    });
  },
};

function showFleet(fleet: FleetView, states: TableCheckpoint[], json: boolean, io: { stdout: CliStream }): number {
  if (json) io.stdout.write(JSON.stringify({ copy: states, fleet }, null, 2) + '\n');
  else {
    for (const s of states) io.stdout.write(`${s.table}  ranges ${s.done}/${s.ranges} done, ${fmt(s.rowsCopied)} rows copied\n`);
    io.stdout.write(fleetLines(fleet).join('\n') + '\n');
  }
  return fleet.allOnCurrentEpoch && states.every((s) => s.done === s.ranges) ? ExitCode.ok : ExitCode.mismatch;
}
