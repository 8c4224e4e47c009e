import { isSwitchyardTable, type DialectName } from '@switchyard/core';
import { CliUsageError, ExitCode } from '../cli-error';
import type { CommandDefinition } from '../command-types';
import { choiceFlag, expectPositionals, listFlag } from '../_internal/args-parse';
import { withConnections } from '../_internal/connections-use';
import { applyMissingSchema, translate } from '../_internal/schema-apply';

const HELP = `Usage: switchyard schema <source> [<target>] [flags]

Prints the schema of <source> translated for another engine: tables, primary keys,
NOT NULL, defaults, indexes, foreign keys, CHECKs and views (INTEGER PRIMARY KEY
AUTOINCREMENT becomes an identity column, DATETIME becomes timestamptz, domains their
base type with a CHECK, enums text with a CHECK, and back). What cannot be translated
(triggers, functions, rules, views or CHECKs in one engine's own SQL) is listed as a
note with the SQL to port by hand, never dropped silently.

The schema comes in two phases, as pg_dump's: pre-data (the tables) and post-data
(indexes, foreign keys and CHECKs, added NOT VALID then validated on PostgreSQL, and
views). Create the tables, copy, validate, then add the post-data: the copy writes into
bare tables, and the constraints are checked once, on the finished data.

The dialect comes from <target> or from --to. With --apply the DDL is run on
<target>: pre-data creates the tables it lacks and leaves existing ones alone,
post-data adds what is missing.

Flags:
  --to <dialect>            sqlite, d1 or postgres (default: <target>'s dialect)
  --tables <a,b>            Only these tables
  --exclude <a,b>           Leave these tables out (Drizzle's __drizzle_migrations)
  --phase <phase>           pre-data, post-data or all (default: all). On SQLite and
                            D1, foreign keys and CHECKs are part of the tables (SQLite
                            cannot add them later)
  --identifier-case <case>  PostgreSQL targets: lower folds names to lower case, so
                            unquoted SQL (INSERT INTO Genre ...) finds them; preserve
                            (default) keeps them and notes each mixed-case name
  --apply                   Run the DDL on <target>
  -h, --help                Show this help

Examples:
  switchyard schema sqlite:./app.db --to postgres > schema.sql
  switchyard schema sqlite:./app.db postgres://app@localhost/app --apply --phase pre-data
  switchyard copy sqlite:./app.db postgres://app@localhost/app
  switchyard schema sqlite:./app.db postgres://app@localhost/app --apply --phase post-data
  switchyard schema d1-local:./worker --to postgres
`;

/** `switchyard schema`: translated DDL, printed or applied. */
export const schemaCommand: CommandDefinition = {
  name: 'schema',
  summary: 'Print (or --apply) the schema translated for another engine',
  help: HELP,
  options: {
    to: { type: 'string' },
    tables: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    apply: { type: 'boolean' },
    phase: { type: 'string' },
    'identifier-case': { type: 'string' },
  },
  async run(args, io) {
    const [source, target] = expectPositionals(args, ['<source>', '[<target>]'], 'schema', 1);
    const to = choiceFlag(args.values.to, 'to', ['sqlite', 'd1', 'postgres'] as const, 'schema');
    const tables = listFlag(args.values.tables);
    const exclude = listFlag(args.values.exclude);
    const phase = choiceFlag(args.values.phase, 'phase', ['pre-data', 'post-data', 'all'] as const, 'schema') ?? 'all';
    const identifierCase = choiceFlag(args.values['identifier-case'], 'identifier-case', ['lower', 'preserve'] as const, 'schema');
    if (args.values.apply && !target)
      throw new CliUsageError('--apply needs a <target> to run the DDL on: switchyard schema <source> <target> --apply.', 'schema');
    if (!target && !to) throw new CliUsageError('Name the engine to translate for: give a <target>, or --to sqlite|d1|postgres.', 'schema');
    const connections = [
      { value: source!, role: '<source>' },
      ...(target ? [{ value: target, role: '<target>', create: Boolean(args.values.apply) }] : []),
    ];
    return withConnections(io, connections, async ([from, into]) => {
      if (args.values.apply) {
        if (to && to !== into!.dialect)
          throw new CliUsageError(`--to ${to} contradicts <target>, which is ${into!.dialect}. Leave --to out with --apply.`, 'schema');
        const result = await applyMissingSchema(from!, into!, { tables, exclude, phase, identifierCase });
        for (const line of result.lines) io.stdout.write(line + '\n');
        return ExitCode.ok;
      }
      const dialect: DialectName = to ?? into!.dialect;
      const all = (await from!.introspect()).filter((t) => !isSwitchyardTable(t.name));
      const wanted = all.filter((t) => (!tables || tables.includes(t.name)) && !exclude?.includes(t.name));
      if (tables) {
        const unknown = tables.filter((t) => !all.some((x) => x.name === t));
        if (unknown.length) throw new CliUsageError(`--tables names tables <source> does not have: ${unknown.join(', ')}.`, 'schema');
      }
      const ddl = await translate(from!, wanted, dialect, { identifierCase });
      io.stdout.write(`-- Schema of ${wanted.length} table(s) for ${dialect}, translated by switchyard\n`);
      for (const note of ddl.notes) io.stdout.write(`-- note: ${note.replace(/\n/g, '\n--')}\n`);
      const print = (statements: string[]) => {
        for (const statement of statements) io.stdout.write(statement.trimEnd().replace(/;?$/, ';') + '\n');
      };
      if (phase !== 'post-data') {
        io.stdout.write('-- pre-data: tables\n');
        print(ddl.tables);
      }
      if (phase !== 'pre-data') {
        io.stdout.write('-- post-data: indexes, constraints, views (after the copy)\n');
        print(ddl.postData);
      }
      return ExitCode.ok;
    });
  },
};
