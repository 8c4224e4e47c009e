import { copyTables, translateSchema } from '@switchyard/copy';
import { openDatabases } from './databases';

// Copies the rows that existed before dual writes began. Safe to run while the app
// writes through the dual-write adapter (rows already there are skipped), and safe to
// stop with Ctrl-C and run again: it resumes from the checkpoints it keeps in PostgreSQL.
const { source, target } = openDatabases();
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());

try {
  // Create the tables PostgreSQL does not have yet, translated from SQLite.
  const existing = new Set((await target.introspect()).map((t) => t.name));
  const missing = (await source.introspect()).filter((t) => !existing.has(t.name));
  if (missing.length > 0) {
    const ddl = translateSchema(missing, 'postgres');
    for (const warning of ddl.warnings) console.warn(`schema: ${typeof warning === 'string' ? warning : warning.message}`);
    for (const statement of ddl.statements) await target.execute(statement);
    console.log(`Created ${missing.map((t) => t.name).join(', ')} in PostgreSQL.`);
  }

  const lastPrint = new Map<string, number>();
  const result = await copyTables(source, target, {
    onConflict: 'skip',
    concurrency: Number(process.env.CONCURRENCY ?? 2),
    signal: stop.signal,
    onProgress: (p) => {
      // One line per table per second at most: readable in a terminal and in CI logs.
      if (Date.now() - (lastPrint.get(p.table) ?? 0) < 1000) return;
      lastPrint.set(p.table, Date.now());
      console.log(`${p.table}: ${p.rowsCopiedAllRuns}/${p.totalRows} rows, ${Math.round(p.rowsPerSecond)} rows/s`);
    },
  });
  for (const t of result.tables) console.log(`${t.table}: ${t.status}, ${t.rowsCopied} copied, ${t.rowsSkipped} already there`);
  if (result.aborted) {
    console.log('Stopped; run again to resume.');
    process.exitCode = 130;
  } else {
    process.exitCode = result.summary.tablesFailed > 0 ? 1 : 0;
  }
} finally {
  await source.close();
  await target.close();
}
