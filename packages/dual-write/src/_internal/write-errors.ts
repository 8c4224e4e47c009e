import { SwitchyardError, type DatabaseAdapter, type ExecResult } from '@switchyard/core';
import type { Step } from './replication-types';

/** The primary's error, naming the statement as the app wrote it rather than with its capture clause. */
export function asWritten(error: unknown, steps: readonly Step[]): unknown {
  if (!(error instanceof SwitchyardError) || error.sql === undefined) return error;
  const step = steps.find((s) => s.kind === 'capture' && s.plan.statement.sql === error.sql);
  if (step?.kind === 'capture') Object.defineProperty(error, 'sql', { value: step.plan.source.sql });
  return error;
}

/** A failure of the connection or a timeout, rather than a refusal of the write. */
export function isOutage(error: Error): boolean {
  const code = (error as SwitchyardError).code;
  return code === 'TRANSIENT' || code === 'CONNECTION_FAILED' || (code as string) === 'TIMEOUT';
}

/**
 * Runs a write's steps on the primary (each capture with its `RETURNING` clause): one
 * statement through `execute()`, several as one `batch()`. A failure names the statements as the app wrote them.
 */
export async function runSteps(kind: 'execute' | 'batch', primary: DatabaseAdapter, steps: readonly Step[]): Promise<ExecResult[]> {
  const run = steps.map((s) => (s.kind === 'capture' ? s.plan.statement : s.primary));
  try {
    return kind === 'execute' ? [await primary.execute(run[0]!.sql, run[0]!.params ?? [])] : await primary.batch(run);
  } catch (error) {
    throw asWritten(error, steps);
  }
}
