import type { ExecResult } from '@switchyard/core';
import { commitMirrored } from '../mirror/mirror-writes';
import type { Mirror } from '../mirror/mirror-types';
import type { SinkParts, SinkWrite } from './secondary-sink';
import { readOnce, secondaryForms } from './translated-forms';

const CONCURRENTLY = /^\s*(?:CREATE\s+(?:UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX)\b[^;]*?\s+CONCURRENTLY\b/i;

/**
 * Whether a Postgres statement refuses to run in a transaction block (`CREATE INDEX
 * CONCURRENTLY`, its `DROP` and `REINDEX`): a mirror's entry cannot commit with it.
 */
export function runsOutsideTransactions(sql: string): boolean {
  return CONCURRENTLY.test(sql);
}

/**
 * Such a statement through a mirror: it runs alone on the primary, then its entry is written
 * (or its message sent) as a write of its own. An index holds no rows: when the process stops
 * between the two, the secondary lacks the index, never a row. The secondary gets it without
 * `CONCURRENTLY`: a drain applies its entries in a transaction, and only the drain writes there.
 */
export async function writeThenEntry(parts: SinkParts, mirror: Mirror, w: SinkWrite): Promise<ExecResult[]> {
  const { metrics, options, replicator } = parts;
  const [own] = w.own;
  const started = metrics.now();
  const result = await w.primary.execute(own!.sql, own!.params ?? []);
  metrics.recordPrimary(started);
  metrics.totalWrites++;
  metrics.replicatedByStatement++;
  const reason = 'a Postgres statement that runs outside a transaction, its mirror entry written after it';
  const noteParts = { noteReplay: replicator.noteReplay.bind(replicator), options };
  const forms = await secondaryForms(noteParts, readOnce(w.primary), { secondary: w.forSecondary[0] ?? own!, reason });
  const statements = forms.map((f) => ({ ...f, sql: f.sql.replace(/\s+CONCURRENTLY\b/i, '') }));
  const prepared = await mirror.prepare(statements, []);
  if (prepared.statements.length > 0) await w.primary.batch(prepared.statements);
  await commitMirrored(mirror, prepared.op, options.continueOnSecondaryFailure);
  return [result];
}
