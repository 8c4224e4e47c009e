import { isSwitchyardTable, type DialectName } from '@switchyard/core';
import { CliUsageError, ExitCode } from '../cli-error';
import type { CommandDefinition } from '../command-types';
import { choiceFlag, expectPositionals, listFlag } from '../_internal/args-parse';
import { withConnections } from '../_internal/connections-use';
import { applyMissingSchema, translate } from '../_internal/schema-apply';

const HELP = `Usage: switchyard schema <source> [<target>] [flags]

Prints the schema of <source> translated for another engine: tables, primary keys,
NOT NULL, defaults, indexes and foreign keys (INTEGER PRIMARY KEY AUTOINCREMENT
becomes an identity column, DATETIME becomes timestamptz, and back). What cannot be
translated is listed as a note, never dropped silently.

The dialect comes from <target> or from --to. With --apply the DDL is run on
<target>, creating the tables it lacks and leaving existing ones alone.

Flags:
  --to <dialect>     sqlite, d1 or postgres (default: <target>'s dialect)
  --tables <a,b>     Only these tables
  --apply            Create the missing tables in <target>
  -h, --help         Show this help

Examples:
  switchyard schema sqlite:./app.db --to postgres > schema.sql
  switchyard schema sqlite:./app.db postgres://app@localhost/app --apply
  switchyard schema d1-local:./worker --to postgres
`;

/** `switchyard schema`: translated DDL, printed or applied. */
export const schemaCommand: CommandDefinition = {
  name: 'schema',
  summary: 'Print (or --apply) the schema translated for another engine',
  help: HELP,
  options: { to: { type: 'string' }, tables: { type: 'string', multiple: true }, apply: { type: 'boolean' } },
  async run(args, io) {
    const [source, target] = expectPositionals(args, ['<source>', '[<target>]'], 'schema', 1);
    const to = choiceFlag(args.values.to, 'to', ['sqlite', 'd1', 'postgres'] as const, 'schema');
    const tables = listFlag(args.values.tables);
    if (args.values.apply && !target) throw new CliUsageError('--apply needs a <target> to run the DDL on: switchyard schema <source> <target> --apply.', 'schema');
    if (!target && !to) throw new CliUsageError('Name the engine to translate for: give a <target>, or --to sqlite|d1|postgres.', 'schema');
    const connections = [{ value: source!, role: '<source>' }, ...(target ? [{ value: target, role: '<target>', create: Boolean(args.values.apply) }] : [])];
    return withConnections(io, connections, async ([from, into]) => {
      if (args.values.apply) {
        if (to && to !== into!.dialect) throw new CliUsageError(`--to ${to} contradicts <target>, which is ${into!.dialect}. Leave --to out with --apply.`, 'schema');
        const result = await applyMissingSchema(from!, into!, { tables });
        for (const line of result.lines) io.stdout.write(line + '\n');
        return ExitCode.ok;
      }
      const dialect: DialectName = to ?? into!.dialect;
      const all = (await from!.introspect()).filter((t) => !isSwitchyardTable(t.name));
      const wanted = tables ? all.filter((t) => tables.includes(t.name)) : all;
      if (tables) {
        const unknown = tables.filter((t) => !all.some((x) => x.name === t));
        if (unknown.length) throw new CliUsageError(`--tables names tables <source> does not have: ${unknown.join(', ')}.`, 'schema');
      }
      const ddl = await translate(wanted, dialect, from!.dialect);
      io.stdout.write(`-- Schema of ${wanted.length} table(s) for ${dialect}, translated by switchyard\n`);
      for (const note of ddl.notes) io.stdout.write(`-- note: ${note}\n`);
      for (const statement of ddl.statements) io.stdout.write(statement.trimEnd().replace(/;?$/, ';') + '\n');
      return ExitCode.ok;
    });
  },
};
