import { TransientError, type AbandonedSession, type DatabaseAdapter } from '@switchyard/core';

/** The sessions a side was running statements on when a write to it was abandoned, by its error. */
const stranded = new WeakMap<Error, AbandonedSession[]>();

/**
 * The error of a write the secondary did not answer within its allowance, remembering the
 * sessions the side was running statements on then (the write's among them): its bytes may
 * still reach the server, and should this process stop before its adapter gives up on the
 * connection, the journal entry is all another instance has to fence them by.
 */
export function unansweredWrite(side: DatabaseAdapter, message: string): TransientError {
  const error = new TransientError(message, { dialect: side.dialect });
  const sessions = side.abandonedSessions?.({ inFlight: true }) ?? [];
  if (sessions.length > 0) stranded.set(error, sessions);
  return error;
}

/** The sessions {@link unansweredWrite} remembered for `error`; none for any other error. */
export function strandedSessions(error: Error): AbandonedSession[] {
  return stranded.get(error) ?? [];
}
