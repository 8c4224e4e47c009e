import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyTables, translateSchema, type CopyResult } from '@switchyard/copy';
import { createDualWriteAdapter } from '@switchyard/dual-write';
import { createPostgresAdapter } from '@switchyard/postgres';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { createTestDatabase, startTestPostgres } from '@switchyard/testkit/postgres-server';
import { quickValidate, validateDatabases, type ValidationReport } from '@switchyard/validation';
import type { DatabaseAdapter } from '@switchyard/core';
import { AppSimulator } from './_internal/app-simulator';
import { countNotes, seedNotes } from './_internal/notes-schema';
import { Story, fmt, redact } from './_internal/story-print';
import { printMetrics } from './_internal/metrics-print';

/** Options of {@link runDemo}; the defaults are what `pnpm demo` uses. */
export interface DemoOptions {
  /** Notes in the SQLite database before the migration starts. Default 5000. */
  existingRows?: number;
  /** Milliseconds between two writes of the simulated app. Default 4. */
  writeIntervalMs?: number;
  /** How long the app writes in each phase where the story waits for it, in ms. Default 600. */
  phaseMs?: number;
  /** Where the story goes. Default: stdout. */
  write?: (line: string) => void;
}

// Switchyard's own tables (the copy's checkpoints) are not app data: leave them out.
const FULL = { validateAllRows: true };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a whole zero-downtime cutover from SQLite to PostgreSQL while a simulated app
 * keeps writing, and returns `true` when both databases end up holding the same rows.
 */
export async function runDemo(options: DemoOptions = {}): Promise<boolean> {
  const existingRows = options.existingRows ?? 5000;
  const phaseMs = options.phaseMs ?? 600;
  const story = new Story(options.write);
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-demo-'));
  story.title('Switchyard demo: moving a live notes app from SQLite to PostgreSQL, without downtime');

  story.phase('The app today: SQLite');
  const sqlite = createSQLiteAdapter(join(dir, 'app.db'));
  await seedNotes(sqlite, existingRows);
  story.line(`${join(dir, 'app.db')} holds ${fmt(await countNotes(sqlite))} notes.`);

  story.phase('A PostgreSQL to move to');
  const server = await startTestPostgres();
  const database = await createTestDatabase(server.url);
  story.line(
    server.embedded
      ? `Started an embedded PostgreSQL (nothing to install): ${redact(database.url)}`
      : `Using the server at POSTGRES_URL, in a new database: ${redact(database.url)}`,
  );
  const postgres = createPostgresAdapter(database.url);
  const translated = translateSchema(await sqlite.introspect(), 'postgres', { from: 'sqlite' });
  for (const statement of translated.statements) await postgres.execute(statement);
  story.line(`translateSchema() turned the SQLite schema into PostgreSQL DDL:`);
  story.line(translated.statements.map((s) => '  ' + s.replace(/\s+/g, ' ').trim()).join('\n'));
  for (const warning of translated.warnings) story.line(`  note: ${warning.table}: ${warning.message}`);

  let ok: boolean;
  const adapter = createDualWriteAdapter(sqlite, postgres, { verifyWrites: true });
  const app = new AppSimulator(adapter, options.writeIntervalMs ?? 4);
  try {
    story.phase('Dual writes: the app now writes through createDualWriteAdapter(sqlite, postgres)');
    app.start();
    await sleep(phaseMs);
    story.line(`The app keeps running: ${fmt(app.stats.inserts)} new notes so far, each written to SQLite, then to PostgreSQL.`);
    story.line(
      `PostgreSQL holds only what the app wrote since (${fmt(await countNotes(postgres))} rows); the ${fmt(existingRows)} old notes are next.`,
    );

    story.phase("Backfill: copyTables(sqlite, postgres, { onConflict: 'skip' }) while the app writes");
    const copied = await copyTables(sqlite, postgres, { onConflict: 'skip', batchSize: 500 });
    story.line(describeCopy(copied));
    const oldIds = await sqlite.query<{ id: string }>('SELECT id FROM notes');
    app.allowEdits(oldIds.map((r) => r.id));
    story.line(
      `Meanwhile the app wrote ${fmt(app.stats.inserts)} notes and edited ${fmt(app.stats.updates)}; it may now edit old notes too.`,
    );
    await sleep(phaseMs / 2);

    story.phase('Validate: validateDatabases(sqlite, postgres, { validateAllRows: true })');
    const before = await validateSettled(app, sqlite, postgres);
    story.line(describeValidation(before));
    if (!before.ok) throw new Error('The two databases differ after the backfill; see the summary above.');

    story.phase('Cutover: adapter.switchPrimary()');
    await adapter.switchPrimary();
    const meta = adapter.getMetadata();
    story.line(`Mode is now ${meta.mode}: reads and writes go to PostgreSQL first, SQLite follows as the fallback.`);
    story.line('Rollback would be the same call: adapter.switchPrimary().');
    await sleep(phaseMs);
    story.line(`The app never stopped: ${fmt(app.stats.inserts)} notes written and ${fmt(app.stats.updates)} edited so far.`);

    story.phase('Validate again, with PostgreSQL as the source of truth');
    await app.stop();
    const after = await validateDatabases(postgres, sqlite, FULL);
    story.line(describeValidation(after));

    story.phase('Metrics: adapter.getMetrics()');
    printMetrics(story, adapter.getMetrics());

    story.phase('Proof that nothing was lost');
    const counts = await quickValidate(sqlite, postgres);
    const expected = existingRows + app.stats.inserts;
    const [inSqlite, inPostgres] = [await countNotes(sqlite), await countNotes(postgres)];
    story.line(`Notes expected: ${fmt(existingRows)} old + ${fmt(app.stats.inserts)} written during the move = ${fmt(expected)}`);
    story.line(`Notes in SQLite: ${fmt(inSqlite)}   Notes in PostgreSQL: ${fmt(inPostgres)}`);
    story.line(
      `Row counts (quickValidate): ${counts.ok ? 'equal' : 'DIFFERENT'}; every row compared (validateDatabases): ${after.ok ? 'equal' : 'DIFFERENT'}`,
    );
    story.line(`Failed app writes: ${app.stats.errors}`);
    ok = after.ok && counts.ok && inSqlite === expected && inPostgres === expected && app.stats.errors === 0;
    story.raw('');
    story.raw(ok ? 'OK: the app moved to PostgreSQL with every row intact and no downtime.' : 'FAILED: the databases differ (see above).');
    for (const error of app.errors.slice(0, 3)) story.raw(`  app write error: ${(error as Error).message}`);
  } finally {
    await app.stop();
    await adapter.close();
    await database.drop().catch(() => {});
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return ok;
}

/**
 * Validates with the app's writes held for the moment validation takes: a write that
 * has reached the primary but not yet the secondary would otherwise show as a difference.
 */
async function validateSettled(app: AppSimulator, source: DatabaseAdapter, target: DatabaseAdapter): Promise<ValidationReport> {
  await app.stop();
  try {
    return await validateDatabases(source, target, FULL);
  } finally {
    app.start();
  }
}

/** One line per table when all is well; the validator's full summary when not. */
function describeValidation(report: ValidationReport): string {
  if (!report.ok) return report.summary.trim();
  const lines = report.tables.map(
    (t) =>
      `${t.table}: ${t.status}, ${fmt(t.sourceCount ?? 0)} rows on each side, ${fmt(t.rowsCompared)} compared value by value (${t.method})`,
  );
  lines.push(`Equal: no missing, extra or different rows (${(report.durationMs / 1000).toFixed(2)}s).`);
  return lines.join('\n');
}

function describeCopy(result: CopyResult): string {
  const lines = result.tables.map(
    (t) =>
      `${t.table}: ${t.status}, ${fmt(t.rowsCopied)} rows read, ${fmt(t.rowsWritten)} written, ${fmt(t.rowsSkipped)} skipped (already written by the app), via ${t.method === 'copy' ? 'COPY FROM STDIN' : 'INSERT'}`,
  );
  lines.push(`${(result.summary.durationMs / 1000).toFixed(1)}s, ${fmt(Math.round(result.summary.rowsPerSecond))} rows/s`);
  return lines.join('\n');
}
