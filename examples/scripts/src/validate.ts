import { validateDatabases } from '@switchyard/validation';
import { openDatabases } from './databases';

// Compares every row of both databases; exit code 0 when equal, 1 when not, so a CI
// job or a runbook step can gate on it: `pnpm validate && deploy-the-switch`.
const { source, target } = openDatabases();
try {
  const report = await validateDatabases(source, target, {
    validateAllRows: process.env.SAMPLE === undefined,
    sampleSize: Number(process.env.SAMPLE ?? 100),
    continueOnError: true,
    onProgress: (p) => {
      if (p.phase === 'done') console.log(`${p.table}: ${p.status} (${p.tablesDone}/${p.tablesTotal})`);
    },
  });
  console.log(report.summary);
  for (const table of report.tables.filter((t) => t.status !== 'ok')) {
    for (const key of table.missingInTarget.slice(0, 10)) console.log(`${table.table}: missing in PostgreSQL: ${JSON.stringify(key)}`);
    for (const row of table.differentRows.slice(0, 10))
      console.log(`${table.table}: differs at ${JSON.stringify(row.key)}: ${row.columns.map((c) => c.column).join(', ')}`);
  }
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await source.close();
  await target.close();
}
