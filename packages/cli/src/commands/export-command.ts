import { createWriteStream } from 'node:fs';
import { isSwitchyardTable, keysetPages, type DialectName } from '@switchyard/core';
import { CliUsageError, ExitCode } from '../cli-error';
import type { CliStream, CommandDefinition } from '../command-types';
import { choiceFlag, expectPositionals, intFlag, listFlag } from '../_internal/args-parse';
import { withConnections, writeAll } from '../_internal/connections-use';
import { renderHeader, renderRows, type ExportFormat } from '../_internal/export-format';

const HELP = `Usage: switchyard export <source> <table> [flags]

Writes one table as SQL INSERT statements, JSON lines or CSV, streamed in key order
one page at a time (keyset pagination on the primary key), so any table size fits
in memory.

Flags:
  --format <sql|jsonl|csv>  Output format (default: sql)
  --to <dialect>            SQL flavour of --format sql: sqlite, d1 or postgres
                            (default: the source's). Decides booleans and blobs.
  --out <file>              Write to a file instead of stdout
  --page-size <n>           Rows read per query (default: 1000)
  --key <a,b>               Columns to page by, for a table without a primary key
                            (they must be unique together)
  -h, --help                Show this help

Examples:
  switchyard export sqlite:./app.db notes > notes.sql
  switchyard export postgres://app@localhost/app notes --format csv --out notes.csv
  switchyard export d1-local:./worker notes --format jsonl --to postgres
`;

/** `switchyard export`: a table as INSERTs, JSON lines or CSV. */
export const exportCommand: CommandDefinition = {
  name: 'export',
  summary: 'Write a table as SQL INSERTs, JSON lines or CSV (streamed)',
  help: HELP,
  options: {
    format: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string' },
    'page-size': { type: 'string' },
    key: { type: 'string' },
  },
  async run(args, io) {
    const [source, table] = expectPositionals(args, ['<source>', '<table>'], 'export');
    const format: ExportFormat = choiceFlag(args.values.format, 'format', ['sql', 'jsonl', 'csv'] as const, 'export') ?? 'sql';
    const to = choiceFlag(args.values.to, 'to', ['sqlite', 'd1', 'postgres'] as const, 'export');
    const pageSize = intFlag(args.values['page-size'], 'page-size', 'export', { min: 1, max: 100_000 }) ?? 1000;
    const keyFlag = listFlag(args.values.key);

    return withConnections(io, [{ value: source!, role: '<source>' }], async ([db]) => {
      const tables = await db!.introspect();
      const info = tables.find((t) => t.name === table);
      if (!info) {
        const names = tables.map((t) => t.name).filter((n) => !isSwitchyardTable(n));
        throw new CliUsageError(`Table "${table}" does not exist in <source>. Tables there: ${names.join(', ') || '(none)'}.`, 'export');
      }
      const columns = info.columns.map((c) => c.name);
      const keys = keyFlag ?? info.primaryKey;
      if (keys.length === 0) {
        throw new CliUsageError(
          `Table "${table}" has no primary key to page by. Pass --key with columns that are unique together, e.g. --key ${columns[0] ?? 'id'}.`,
          'export',
        );
      }
      for (const key of keys) {
        if (!columns.includes(key))
          throw new CliUsageError(`--key names "${key}", which is not a column of "${table}" (columns: ${columns.join(', ')}).`, 'export');
      }
      const dialect: DialectName = to ?? db!.dialect;
      const out: CliStream = args.values.out ? createWriteStream(String(args.values.out)) : io.stdout;
      let rows = 0;
      await writeAll(out, renderHeader(format, columns));
      // pg reads a bare JSON document (the document null, 1.50) as a plain value: its text is read beside the row.
      for await (const page of keysetPages(db!, table!, keys, pageSize, info)) {
        await writeAll(out, renderRows(format, table!, columns, page, dialect));
        rows += page.length;
      }
      if (args.values.out) {
        await new Promise<void>((resolve, reject) =>
          (out as ReturnType<typeof createWriteStream>).end((e?: Error | null) => (e ? reject(e) : resolve())),
        );
        io.stderr.write(`Exported ${rows} rows of ${table} to ${String(args.values.out)}.\n`);
      }
      return ExitCode.ok;
    });
  },
};
