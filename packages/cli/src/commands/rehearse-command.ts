import { readFile } from 'node:fs/promises';
import { statementKind, type Statement } from '@switchyard/core';
import { formatRehearsalReport, SqlRehearsal, type RehearsalReport } from '@switchyard/dual-write';
import { CliUsageError, ExitCode } from '../cli-error';
import type { CliIO, CommandDefinition } from '../command-types';
import { expectPositionals } from '../_internal/args-parse';
import { withConnections } from '../_internal/connections-use';

const HELP = `Usage: switchyard rehearse <source> <target> --statements <file> [flags]
       switchyard rehearse --report <report.json> [flags]

Rehearses an app's SQL on the engine it is moving to, changing neither database: each
distinct statement shape of <file> runs once on <target>, a write inside a transaction
that is rolled back (under EXPLAIN where <target> has no transactions), a read as it is,
compared with the rows <source> returns. Writes never run on <source>. Each shape is
reported as works, fails (with the error), differs, or untranslated.

From SQLite or D1 to Postgres, a small table translates INSERT OR IGNORE / OR REPLACE,
datetime('now'), IFNULL, ?NNN, 0/1 into boolean columns and LIMIT -1; other SQLite-only
forms are reported, never rewritten (see docs/adopting.md).

<file> holds one JSON object per line, {"sql": "...", "params": [...]}, or plain SQL
statements separated by ";". With --report, prints a report an app saved from
JSON.stringify(rehearsal.report()) instead.

Exit code: 0 when every shape works, 1 when one fails, differs or is untranslated.

Flags:
  --statements <file>  The statements to rehearse
  --report <file>      Print a saved report instead of rehearsing
  --json               Print the report as JSON
  -h, --help           Show this help

Examples:
  switchyard rehearse d1-local:./worker postgres://app@localhost/app --statements queries.jsonl
  switchyard rehearse sqlite:./app.db postgres://app@localhost/app --statements schema-and-queries.sql --json
  switchyard rehearse --report rehearsal.json
`;

/** `switchyard rehearse`: the app's statements tried on the other engine, per shape. */
export const rehearseCommand: CommandDefinition = {
  name: 'rehearse',
  summary: "Rehearse the app's statements on the other engine and report which work",
  help: HELP,
  options: { statements: { type: 'string' }, report: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    const json = Boolean(args.values.json);
    if (typeof args.values.report === 'string') {
      return print(JSON.parse(await readFile(args.values.report, 'utf8')) as RehearsalReport, json, io);
    }
    const [source, target] = expectPositionals(args, ['<source>', '<target>'], 'rehearse');
    if (typeof args.values.statements !== 'string') {
      throw new CliUsageError('Give the statements to rehearse: --statements <file> (JSON lines {"sql", "params"}, or SQL).', 'rehearse');
    }
    const statements = parseStatements(await readFile(args.values.statements, 'utf8'));
    return withConnections(
      io,
      [
        { value: source!, role: '<source>' },
        { value: target!, role: '<target>' },
      ],
      async ([from, into]) => {
        const rehearsal = new SqlRehearsal({ source: from!, target: into! });
        for (const statement of statements) {
          // Reads run on <source> for their rows; writes only ever reach <target>, and are rolled back there.
          const rows =
            statementKind(statement.sql) === 'read'
              ? await from!.query(statement.sql, statement.params ?? []).catch(() => undefined)
              : undefined;
          await rehearsal.observe(statement, rows);
        }
        await rehearsal.idle();
        return print(rehearsal.report(), json, io);
      },
    );
  },
};

function print(report: RehearsalReport, json: boolean, io: CliIO): number {
  io.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : formatRehearsalReport(report) + '\n');
  return report.shapes.every((s) => s.outcome === 'works') ? ExitCode.ok : ExitCode.mismatch;
}

function parseStatements(text: string): Statement[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length > 0 && lines.every((l) => l.trim().startsWith('{'))) {
    return lines.map((line, i) => {
      const parsed = JSON.parse(line) as { sql?: unknown; params?: unknown };
      if (typeof parsed.sql !== 'string') throw new CliUsageError(`Line ${i + 1} of --statements has no "sql" string.`, 'rehearse');
      return { sql: parsed.sql, params: Array.isArray(parsed.params) ? parsed.params : [] };
    });
  }
  return text
    .split(/;\s*(?:\n|$)/)
    .map((sql) => sql.trim())
    .filter((sql) => sql !== '' && !/^--[^\n]*$/.test(sql))
    .map((sql) => ({ sql }));
}
