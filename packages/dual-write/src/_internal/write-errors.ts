import { SwitchyardError } from '@switchyard/core';
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
